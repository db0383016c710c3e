package foyer

import "testing"

func TestRetentionValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r  Retention
		ok bool
	}{
		{DefaultRetention, true},
		{Retention{30, 30, 1}, true},
		{Retention{3650, 3650, 120}, true},
		{Retention{29, 395, 24}, false},
		{Retention{3651, 395, 24}, false},
		{Retention{395, 29, 24}, false},
		{Retention{395, 3651, 24}, false},
		{Retention{395, 395, 0}, false},
		{Retention{395, 395, 121}, false},
	} {
		err := tc.r.Validate()
		if (err == nil) != tc.ok || (err != nil && ErrorCode(err) != EINVALID) {
			t.Errorf("%+v: %v", tc.r, err)
		}
	}
}
