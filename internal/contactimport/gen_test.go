package contactimport

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// genReader generates a CSV contact file of n rows on the fly, every tenth
// email a duplicate of an earlier one with a later consent date.
type genReader struct {
	n, i int
	buf  []byte
}

const genHeader = "email,first_name,last_name,company,attr.size,tracking_consent,tracking_consent_at\n"

func newGen(n int) *genReader { return &genReader{n: n, buf: []byte(genHeader)} }

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		id := g.i
		day := 1 + g.i%27
		if g.i%10 == 9 {
			id, day = g.i-5, 28
		}
		g.buf = fmt.Appendf(g.buf, "user%d@example%d.com,First%d,Last,Company %d,%d,accepted,2024-02-%02d\n",
			id, id%1000, g.i, g.i%5000, g.i%500, day)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// TestReadMemoryBounded reads 200k generated rows and measures the live heap
// while the last row is emitted, when all that Read remembers is still held.
// The map of seen emails costs 32 bytes a slot, about 40 bytes per email
// with the table's spare room, and up to twice that just after it grows:
// 180k distinct emails are 7 to 15 MB. The limit of 24 MB leaves room for
// the runtime and the test's own allocations; a reader that kept the rows
// or the addresses (over 150 bytes each) would pass 30 MB and fail.
func TestReadMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200k rows")
	}
	const n = 200_000
	var before, at runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	emitted := 0
	sum, err := Read(context.Background(), newGen(n), Options{},
		func(Row) error {
			if emitted++; emitted == n*9/10 {
				runtime.GC()
				runtime.ReadMemStats(&at)
			}
			return nil
		},
		func(r Rejection) error { return fmt.Errorf("line %d rejected: %s", r.Line, r.Reason) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != n || sum.Duplicates != n/10 {
		t.Fatalf("summary %+v", sum)
	}
	growth := int64(at.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap growth %.1f MB for %d rows, %.0f bytes per distinct email", float64(growth)/1e6, n, float64(growth)/float64(n*9/10))
	if growth > 24<<20 {
		t.Errorf("heap grew by %d bytes reading %d rows", growth, n)
	}
}

func BenchmarkRead1M(b *testing.B) {
	const n = 1_000_000
	var rows int
	start := time.Now()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		sum, err := Read(context.Background(), newGen(n), Options{},
			func(Row) error { return nil }, func(Rejection) error { return nil })
		if err != nil || sum.Records != n {
			b.Fatalf("summary %+v, err %v", sum, err)
		}
		rows += sum.Records
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(rows), "alloc-B/row")
}

// TestGen checks the generator itself, the benchmark's input.
func TestGen(t *testing.T) {
	t.Parallel()
	b, err := io.ReadAll(newGen(20))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, sum, err := run(t, string(b), Options{})
	if err != nil || len(rows) != 20 || sum.Duplicates != 2 || rows[9].Email != "user4@example4.com" || rows[9].Attrs["size"] != strconv.Itoa(9) {
		t.Fatalf("rows %+v, summary %+v, err %v", rows, sum, err)
	}
}
