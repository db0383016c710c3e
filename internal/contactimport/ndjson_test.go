package contactimport

import (
	"strings"
	"testing"
)

func TestReadHostileNDJSON(t *testing.T) {
	t.Parallel()
	long := `{"email":"x@y.co","role":"` + strings.Repeat("r", 2<<20) + `"}`
	tests := []struct {
		name, in string
		opts     Options
		want     []string
	}{
		{name: "objects", in: `{"email":" A@B.co "}` + "\n" + `{"Email":"c@d.co","tracking_consent":"accepted"}`,
			want: []string{"1 a@b.co", "2 c@d.co"}},
		{name: "BOM and CRLF", in: "\xEF\xBB\xBF{\"email\":\"a@b.co\"}\r\n{\"email\":\"c@d.co\"}\r\n", want: []string{"1 a@b.co", "2 c@d.co"}},
		{name: "blank lines", in: "\n  \n{\"email\":\"a@b.co\"}\n\n", want: []string{"3 a@b.co"}},
		{name: "non-objects", in: "[1]\n42\nnull\n\"a@b.co\"\n{bad\n{\"email\":\"a@b.co\"}\n",
			want: []string{"1 ! line 1 is not a JSON object", "2 ! line 2 is not a JSON object", "3 ! line 3 is not a JSON object",
				"4 ! line 4 is not a JSON object", "5 ! line 5 is not valid JSON", "6 a@b.co"}},
		{name: "nested values", in: `{"email":"a@b.co","role":{"x":1}}` + "\n" + `{"email":"c@d.co","attr.tags":["a"]}` + "\n" + `{"email":{"a":"b"}}`,
			want: []string{"1 ! role must be a string, not an object", "2 ! attr.tags must be a string, not an array", "3 ! email must be a string, not an object"}},
		{name: "numbers and booleans", in: `{"email":"a@b.co","crm_id":12345,"tracking_consent":true,"attr.size":1.5e3,"phone":null}` + "\n" +
			`{"email":42}` + "\n" + `{"email":"c@d.co","tracking_consent":0}`,
			want: []string{"1 a@b.co", "2 ! email is not a valid address", "3 c@d.co"}},
		{name: "missing email", in: `{"first_name":"Ann"}` + "\n" + `{}`, want: []string{"1 ! email is missing", "2 ! email is missing"}},
		{name: "same field twice", in: `{"email":"a@b.co","EMAIL":"c@d.co"}`, want: []string{`1 ! fields "EMAIL" and "email" both give email`}},
		{name: "unknown key, import", in: `{"email":"a@b.co","shoe":1}` + "\n" + `{"email":"c@d.co"}`,
			want: []string{`1 ! unknown field "shoe"`, "2 c@d.co"}},
		{name: "unknown key, preview", in: `{"email":"a@b.co","shoe":1}`, opts: Options{Preview: true}, want: []string{"1 a@b.co"}},
		{name: "unknown key, mapped", in: `{"email":"a@b.co","shoe":1}`, opts: Options{Mapping: map[string]string{"Shoe": "attr.shoe"}}, want: []string{"1 a@b.co"}},
		{name: "bad attribute key", in: `{"email":"a@b.co","attr.a b":1}`, want: []string{"1 ! not a valid attribute name"}},
		{name: "bad UTF-8", in: "{\"email\":\"a@b.co\",\"first_name\":\"Ren\xe9\"}\n{\"email\":\"c@d.co\"}", want: []string{"1 ! not valid UTF-8", "2 c@d.co"}},
		{name: "Latin-1 with the option", in: "{\"email\":\"a@b.co\",\"first_name\":\"Ren\xe9\"}", opts: Options{Latin1: true}, want: []string{"1 a@b.co"}},
		{name: "a 2 MB line", in: `{"email":"a@b.co"}` + "\n" + long + "\n" + `{"email":"c@d.co"}`,
			want: []string{"1 a@b.co", "2 ! the line is over 1 MiB", "3 c@d.co"}},
		{name: "a 1 MB value", in: `{"email":"a@b.co","role":"` + strings.Repeat("r", 1<<20-40) + `"}`, want: []string{"1 ! role is over 4 KiB"}},
		{name: "duplicates", in: `{"email":"a@b.co","tracking_consent":"yes","tracking_consent_at":"2024-01-02"}` + "\n" +
			`{"email":"a@b.co","tracking_consent":"no","tracking_consent_at":"2024-01-01"}` + "\n" +
			`{"email":"a@b.co","tracking_consent":"no","tracking_consent_at":"2024-01-03"}`,
			want: []string{"1 a@b.co", "2 ! duplicate of line 1", "3 a@b.co"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Format = NDJSON
			got, _, sum, err := run(t, tt.in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			match(t, got, tt.want)
			if sum.Records != len(tt.want) || sum.Bytes != int64(len(tt.in)) {
				t.Errorf("summary %+v for %d outcomes of %d bytes", sum, len(tt.want), len(tt.in))
			}
		})
	}
}

func TestReadNDJSONValues(t *testing.T) {
	t.Parallel()
	in := `{"email":"a@b.co","crm_id":12345,"hasTrackingConsent":true,"attr.size":1.5e3,"phone":null,"company":"=HYPERLINK(\"x\")","attr.e":""}` + "\n" +
		`{"email":"c@d.co","first_name":"\u00e9\ud800"}`
	_, rows, sum, err := run(t, in, Options{Format: NDJSON, Preview: true})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
	r := rows[0]
	if r.CRMID != "12345" || r.Consent != "accepted" || !r.HasConsentColumn || r.Attrs["size"] != "1.5e3" || len(r.Attrs) != 1 ||
		r.Phone != "" || r.Company != `=HYPERLINK("x")` {
		t.Errorf("row = %+v", r)
	}
	if rows[1].FirstName != "é\uFFFD" || rows[1].HasConsentColumn || len(sum.UnknownColumns) != 0 {
		t.Errorf("row = %+v, summary %+v", rows[1], sum)
	}
}
