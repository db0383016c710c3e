package contactimport

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// run reads input and returns its outcomes in file order: "LINE EMAIL" for a
// row, "LINE ! REASON" for a rejection.
func run(t *testing.T, input string, opts Options) ([]string, []Row, Summary, error) {
	t.Helper()
	var events []string
	var rows []Row
	sum, err := Read(context.Background(), strings.NewReader(input), opts,
		func(r Row) error {
			events = append(events, fmt.Sprintf("%d %s", r.Line, r.Email))
			rows = append(rows, r)
			return nil
		},
		func(r Rejection) error {
			events = append(events, fmt.Sprintf("%d ! %s", r.Line, r.Reason))
			return nil
		})
	return events, rows, sum, err
}

// match checks events against wants: a want with " ! " matches a rejection
// on that line whose reason contains the rest; any other want is exact.
func match(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		if line, frag, rej := strings.Cut(want[i], " ! "); rej {
			ok = strings.HasPrefix(got[i], line+" ! ") && strings.Contains(got[i], frag)
		} else {
			ok = got[i] == want[i]
		}
	}
	if !ok {
		t.Errorf("outcomes:\n got %q\nwant %q", got, want)
	}
}

func TestReadHostileCSV(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1<<20)
	attrs51 := make([]string, 51)
	vals51 := make([]string, 51)
	for i := range attrs51 {
		attrs51[i] = fmt.Sprintf("attr.a%d", i)
		vals51[i] = "v"
	}
	tests := []struct {
		name, in string
		opts     Options
		want     []string
		err      string // a fragment of Read's error, "" for none
	}{
		{name: "plain", in: "email,first_name\nA@Example.COM , Ann\n", want: []string{"2 a@example.com"}},
		{name: "BOM", in: "\xEF\xBB\xBFemail\na@b.co\n", want: []string{"2 a@b.co"}},
		{name: "CRLF", in: "email,first_name\r\na@b.co,X\r\nc@d.co,Y\r\n", want: []string{"2 a@b.co", "3 c@d.co"}},
		{name: "empty lines", in: "email\n\na@b.co\n\n\nc@d.co\n", want: []string{"3 a@b.co", "6 c@d.co"}},
		{name: "header only", in: "email,first_name\n", want: nil},
		{name: "empty file", in: "", err: "the file is empty"},
		{name: "no header", in: "a@b.co,John\n", err: `unknown columns "a@b.co", "John"`},
		{name: "no email column", in: "first_name\nAnn\n", err: "no email column"},
		{name: "a 1 MB cell", in: "email,first_name\na@b.co," + big + "\nc@d.co,C\n",
			want: []string{"2 ! first_name is over 4 KiB", "3 c@d.co"}},
		{name: "multi-line fields", in: "email,first_name\na@b.co,\"one\ntwo\nthree\"\nc@d.co,\"x\r\ny\"\ne@f.co,z\n",
			want: []string{"2 a@b.co", "5 c@d.co", "7 e@f.co"}},
		{name: "multi-line first field", in: "first_name,email\n\"one\ntwo\",a@b.co\nx,c@d.co\n",
			want: []string{"2 a@b.co", "4 c@d.co"}},
		{name: "broken quoting", in: "email,first_name\na@b.co,\"x\"y\nc@d.co,b\"ad\ne@f.co,ok\n",
			want: []string{"2 ! broken quoting", "3 ! broken quoting", "4 e@f.co"}},
		{name: "unclosed quote at EOF", in: "email,first_name\na@b.co,ok\nc@d.co,\"abc\nmore\n",
			want: []string{"2 a@b.co", "3 ! broken quoting"}},
		{name: "field counts", in: "email,first_name\na@b.co,x,y\nc@d.co\ne@f.co,z\n",
			want: []string{"2 ! too many fields: 3, the header has 2", "3 ! too few fields: 1, the header has 2", "4 e@f.co"}},
		{name: "bad UTF-8 row", in: "email,first_name\na@b.co,Ren\xe9\nc@d.co,René\n",
			want: []string{"2 ! not valid UTF-8", "3 c@d.co"}},
		{name: "bad UTF-8 header", in: "email,pr\xe9nom\na@b.co,x\n", err: "choose that encoding"},
		{name: "Latin-1 with the option", in: "email,first_name\na@b.co,Ren\xe9\n", opts: Options{Latin1: true},
			want: []string{"2 a@b.co"}},
		{name: "bad emails", in: "email\n\" \"\nnot-an-email\na@b\n@b.co\na@@b.co\na b@c.co\na@.co\nok@x.io\n",
			want: []string{"2 ! email is missing", "3 ! not a valid address", "4 ! not a valid address",
				"5 ! not a valid address", "6 ! not a valid address", "7 ! not a valid address",
				"8 ! not a valid address", "9 ok@x.io"}},
		{name: "consent values and dates", in: "email,tracking_consent,tracking_consent_at\n" +
			"a@b.co,maybe,\nb@b.co,accepted,2024-13-01\nc@b.co,,2024-01-01\nd@b.co,YES,2024-01-01\n" +
			"e@b.co,False,2024-01-01T10:00:00+02:00\nf@b.co,1,yesterday\ng@b.co,refused,1900-01-01\nh@b.co,,\n" +
			"i@b.co,Unanswered,2024-01-01T10:00:00Z\n",
			want: []string{"2 ! unknown consent value \"maybe\"", "3 ! unparseable consent date", "4 ! a consent date without a consent status",
				"5 d@b.co", "6 e@b.co", "7 ! unparseable consent date", "8 ! out of range", "9 h@b.co", "10 i@b.co"}},
		{name: "aliases", in: "Email, HASTRACKINGCONSENT ,dtTrackingConsent\na@b.co,no,2024-01-01\n", want: []string{"2 a@b.co"}},
		{name: "too many attributes", in: "email," + strings.Join(attrs51, ",") + "\na@b.co," + strings.Join(vals51, ",") +
			"\nc@d.co" + strings.Repeat(",", 51) + "v\n", want: []string{"2 ! too many attributes", "3 c@d.co"}},
		{name: "bad attribute name", in: "email,attr.bad name\n", err: "attribute name"},
		{name: "same field twice", in: "email,EMAIL\n", err: `columns "email" and "EMAIL" both give email`},
		{name: "unnamed column", in: "email,\na@b.co,\nc@d.co,x\n", want: []string{"2 a@b.co", "3 ! column 2, which has no name"}},
		{name: "semicolons", in: "email;first_name\na@b.co;A,B\n", opts: Options{Comma: ';'}, want: []string{"2 a@b.co"}},
		{name: "a long column name", in: "email," + strings.Repeat("n", 300) + "\n", opts: Options{Preview: true}, err: "column 2's name is over 256 bytes"},
		{name: "bad separator", in: "email\n", opts: Options{Comma: '"'}, err: "cannot separate"},
		{name: "unknown column, preview", in: "email,Shoe size\na@b.co,42\n", opts: Options{Preview: true}, want: []string{"2 a@b.co"}},
		{name: "unknown column, import", in: "email,Shoe size\na@b.co,42\n", err: `unknown columns "Shoe size"`},
		{name: "unknown column mapped", in: "E-mail,Shoe size\na@b.co,42\n",
			opts: Options{Mapping: map[string]string{" e-mail": "email", "SHOE SIZE": "attr.shoe_size"}}, want: []string{"2 a@b.co"}},
		{name: "unknown column ignored", in: "email,Shoe size\na@b.co,42\n",
			opts: Options{Mapping: map[string]string{"shoe size": ""}}, want: []string{"2 a@b.co"}},
		{name: "mapping to no field", in: "email\n", opts: Options{Mapping: map[string]string{"x": "shoe"}}, err: "not a field"},
		{name: "duplicates, later newer", in: "email,tracking_consent,tracking_consent_at\na@b.co,accepted,2024-01-01\nA@B.CO,refused,2024-02-01\n",
			want: []string{"2 a@b.co", "3 a@b.co"}},
		{name: "duplicates, later older", in: "email,tracking_consent,tracking_consent_at\na@b.co,accepted,2024-02-01\na@b.co,refused,2024-01-01\n",
			want: []string{"2 a@b.co", "3 ! duplicate of line 2"}},
		{name: "duplicates, equal dates, conflict", in: "email,tracking_consent,tracking_consent_at\na@b.co,accepted,2024-02-01\na@b.co,refused,2024-02-01T00:00:00Z\n",
			want: []string{"2 a@b.co", "3 ! conflicts with line 2"}},
		{name: "duplicates, no dates, conflict", in: "email,tracking_consent\na@b.co,accepted\nx@y.co,\na@b.co,refused\n",
			want: []string{"2 a@b.co", "3 x@y.co", "4 ! conflicts with line 2"}},
		{name: "duplicates, one date missing, conflict", in: "email,tracking_consent,tracking_consent_at\na@b.co,accepted,\na@b.co,refused,2024-01-01\n",
			want: []string{"2 a@b.co", "3 ! conflicts with line 2"}},
		{name: "duplicates, same status", in: "email,tracking_consent\na@b.co,accepted\na@b.co,yes\n",
			want: []string{"2 a@b.co", "3 ! duplicate of line 2"}},
		{name: "duplicates, later without status", in: "email,tracking_consent\na@b.co,refused\na@b.co,\n",
			want: []string{"2 a@b.co", "3 ! duplicate of line 2"}},
		{name: "duplicates, earlier without status", in: "email,tracking_consent\na@b.co,\na@b.co,refused\na@b.co,accepted\n",
			want: []string{"2 a@b.co", "3 a@b.co", "4 ! conflicts with line 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, sum, err := run(t, tt.in, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one with %q", err, tt.err)
				}
				if foyer.ErrorCode(err) != foyer.EINVALID {
					t.Errorf("code = %q, want EINVALID", foyer.ErrorCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			match(t, got, tt.want)
			if sum.Records != len(tt.want) || sum.Emitted+sum.Rejected != sum.Records {
				t.Errorf("summary %+v for %d outcomes", sum, len(tt.want))
			}
			if sum.Bytes != int64(len(tt.in)) {
				t.Errorf("bytes = %d, want %d", sum.Bytes, len(tt.in))
			}
		})
	}
}

func TestReadValues(t *testing.T) {
	t.Parallel()
	in := "email,first_name,last_name,role,phone,crm_id,company,attr.Note,attr.empty,hasTrackingConsent,dtTrackingConsent\n" +
		"a@b.co,=1+1,+33 1 23,-2,@SUM(A1),\"\tx\",\"\r=cmd|' /C calc'!A0\",Ren\xe9,,Refused,2024-03-05\n"
	_, rows, sum, err := run(t, in, Options{Latin1: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{{Line: 2, Email: "a@b.co", FirstName: "=1+1", LastName: "+33 1 23", Role: "-2", Phone: "@SUM(A1)",
		CRMID: "\tx", Company: "\r=cmd|' /C calc'!A0", Attrs: map[string]string{"note": "René"},
		Consent: "refused", ConsentAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), HasConsentColumn: true}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %#v\nwant %#v", rows, want)
	}
	if sum.Emitted != 1 {
		t.Errorf("summary %+v", sum)
	}

	_, rows, _, _ = run(t, "email,tracking_consent_at,tracking_consent\na@b.co,2024-01-01T10:00:00+02:00,true\nb@b.co,,\n", Options{})
	if len(rows) != 2 || !rows[0].ConsentAt.Equal(time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)) || rows[0].ConsentAt.Location() != time.UTC ||
		rows[0].Consent != "accepted" || !rows[1].HasConsentColumn || rows[1].Consent != "" || !rows[1].ConsentAt.IsZero() {
		t.Errorf("rows = %+v", rows)
	}
	_, rows, _, _ = run(t, "email\na@b.co\n", Options{})
	if len(rows) != 1 || rows[0].HasConsentColumn || rows[0].Attrs != nil {
		t.Errorf("rows = %+v", rows)
	}
}

func TestReadSummary(t *testing.T) {
	t.Parallel()
	in := "email,tracking_consent,Shoe,Hat\na@b.co,yes,,\na@b.co,no,,\nbad,,,\nc@d.co,,,\nc@d.co,yes,,\n"
	_, _, sum, err := run(t, in, Options{Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Records: 5, Emitted: 3, Rejected: 2, Duplicates: 2, Conflicts: 1,
		UnknownColumns: []string{"Hat", "Shoe"}, Bytes: int64(len(in))}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	_, _, _, err = run(t, in, Options{})
	var uc *UnknownColumnsError
	if !errors.As(err, &uc) || !reflect.DeepEqual(uc.Columns, []string{"Shoe", "Hat"}) {
		t.Errorf("err = %v", err)
	}
}

func TestReadStops(t *testing.T) {
	t.Parallel()
	in := "email\n" + strings.Repeat("a@b.co\nc@d.co\n", 1000)
	stop := errors.New("stop")
	n := 0
	sum, err := Read(context.Background(), strings.NewReader(in), Options{},
		func(Row) error {
			if n++; n == 2 {
				return stop
			}
			return nil
		},
		func(Rejection) error { return stop })
	if !errors.Is(err, stop) || sum.Emitted != 2 {
		t.Errorf("emit stop: err = %v, summary %+v", err, sum)
	}
	sum, err = Read(context.Background(), strings.NewReader(in), Options{},
		func(Row) error { return nil }, func(Rejection) error { return stop })
	if !errors.Is(err, stop) || sum.Rejected != 1 || sum.Emitted != 2 {
		t.Errorf("reject stop: err = %v, summary %+v", err, sum)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err = Read(ctx, strings.NewReader(in), Options{},
		func(Row) error { return nil }, func(Rejection) error { return nil })
	if !errors.Is(err, context.Canceled) || sum.Records != 256 {
		t.Errorf("cancel: err = %v, summary %+v", err, sum)
	}
}

type failReader struct{ n int }

func (f *failReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "email\na@b.co\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadIOError(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{CSV, NDJSON} {
		_, err := Read(context.Background(), &failReader{n: 1}, Options{Format: f, Preview: true},
			func(Row) error { return nil }, func(Rejection) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "disk on fire") || foyer.ErrorCode(err) != foyer.EINTERNAL {
			t.Errorf("format %d: err = %v", f, err)
		}
	}
}

func TestReadProgress(t *testing.T) {
	t.Parallel()
	in := "email\n" + strings.Repeat("a@b.co\n", 3000)
	var seen []int64
	sum, err := Read(context.Background(), strings.NewReader(in), Options{Progress: func(n int64) { seen = append(seen, n) }},
		func(Row) error { return nil }, func(Rejection) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Two calls at records 1024 and 2048, one at the end.
	if len(seen) != 3 || seen[0] <= 0 || seen[0] > seen[1] || seen[2] != int64(len(in)) || sum.Bytes != int64(len(in)) {
		t.Errorf("progress %v, summary %+v, %d bytes", seen, sum, len(in))
	}
}

// A byte-order mark says UTF-8, even when the caller chose Latin-1.
func TestReadBOMWinsOverLatin1(t *testing.T) {
	t.Parallel()
	for _, latin1 := range []bool{false, true} {
		_, rows, _, err := run(t, "\xEF\xBB\xBFemail,first_name\na@b.co,René\n", Options{Latin1: latin1})
		if err != nil || len(rows) != 1 || rows[0].FirstName != "René" {
			t.Errorf("latin1 %v: rows %+v, err %v", latin1, rows, err)
		}
	}
	_, rows, _, err := run(t, "email,first_name\na@b.co,René\n", Options{Latin1: true})
	if err != nil || len(rows) != 1 || rows[0].FirstName != "RenÃ©" {
		t.Errorf("UTF-8 read as Latin-1 without a BOM: rows %+v, err %v", rows, err)
	}
}

// TestReadReplaces: a row that replaces an earlier one of the same email
// names that row's line; others name none.
func TestReadReplaces(t *testing.T) {
	in := "email,tracking_consent,tracking_consent_at\n" +
		"a@b.co,,\n" + // 2
		"c@d.co,accepted,2024-01-01\n" + // 3
		"a@b.co,refused,2024-01-01\n" + // 4: replaces 2 (no status there)
		"c@d.co,refused,2024-02-01\n" // 5: newer, replaces 3
	var got []string
	_, err := Read(context.Background(), strings.NewReader(in), Options{}, func(r Row) error {
		got = append(got, fmt.Sprintf("%d<%d", r.Line, r.Replaces))
		return nil
	}, func(Rejection) error { return nil })
	if err != nil || strings.Join(got, " ") != "2<0 3<0 4<2 5<3" {
		t.Errorf("%v, %v", got, err)
	}
}
