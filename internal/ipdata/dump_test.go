package ipdata

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestDumpNetworks builds the table from the open data in
// $FOYER_IPDATA_SRC (the unpacked asn and geo-whois-asn-country packages)
// and writes every network as the classifier sees it, with its type and
// reason, to $FOYER_IPDATA_DUMP: asn, IPv4 addresses, type, name, IPv4
// ranges, countries, IPv6 ranges, reason. It fills the shape columns of a
// new labelled sample, and times the import and the classification.
// Skipped unless both are set.
func TestDumpNetworks(t *testing.T) {
	src, out := os.Getenv("FOYER_IPDATA_SRC"), os.Getenv("FOYER_IPDATA_DUMP")
	if src == "" || out == "" {
		t.Skip("set FOYER_IPDATA_SRC and FOYER_IPDATA_DUMP")
	}
	var nets []Network
	var typs []foyer.OrgType
	var reasons []string
	var spent time.Duration
	b := NewBuilder()
	b.Classify = func(n Network) (foyer.OrgType, string) {
		t0 := time.Now()
		typ, why := Classify(n)
		spent += time.Since(t0)
		nets, typs, reasons = append(nets, n), append(typs, typ), append(reasons, why)
		return typ, why
	}
	im := Import{
		ASN:     []string{filepath.Join(src, "asn", "asn-ipv4.csv"), filepath.Join(src, "asn", "asn-ipv6.csv")},
		Country: []string{filepath.Join(src, "geo-whois-asn-country", "geo-whois-asn-country-ipv4.csv"), filepath.Join(src, "geo-whois-asn-country", "geo-whois-asn-country-ipv6.csv")},
	}
	t0 := time.Now()
	if _, err := im.Build(b); err != nil {
		t.Fatal(err)
	}
	t.Logf("import %v, of which classifying %d networks %v", time.Since(t0), len(nets), spent)
	idx := make([]int, len(nets))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return nets[idx[a]].ASN < nets[idx[b]].ASN })
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for _, i := range idx {
		n := nets[i]
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%d\t%d\t%d\t%s\n", n.ASN, n.Addresses4, typs[i], n.Org, n.Ranges4, n.Countries, n.Ranges6, reasons[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkClassify classifies every network of the tuning sets once per
// iteration: the cost of the rules at import, which classifies each of
// the table's networks once.
func BenchmarkClassify(b *testing.B) {
	t := &testing.T{}
	var nets []Network
	for _, f := range []string{"labelled.tsv", "heldout.tsv", "tune.tsv", "tune2.tsv"} {
		for _, l := range readLabelled(t, f) {
			nets = append(nets, l.n)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, n := range nets {
			Classify(n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(nets)), "ns/network")
}
