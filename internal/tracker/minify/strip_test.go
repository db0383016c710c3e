package minify

import "testing"

func TestStrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"a;b;", "a;b;", false},
		{"a;/*+id*/x;/*-id*/b;", "a;b;", false},
		{"a;/*+id*/x;\ny;/*-id*/b;/*+id*/z;/*-id*/", "a;b;", false},
		{"a;/*+other*/x;/*-other*/", "a;/*+other*/x;/*-other*/", false},
		{"a;/*+id*/x;", "", true},
		{"a;/*-id*/x;", "", true},
		{"/*-id*/a;/*+id*/x;/*-id*/", "", true},
		{"/*+id*/a;/*+id*/x;/*-id*/", "", true},
	} {
		got, err := Strip([]byte(tc.in), "id")
		if (err != nil) != tc.err || string(got) != tc.want {
			t.Errorf("Strip(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
