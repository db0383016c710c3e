package ipdata

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

type labelled struct {
	n    Network
	want foyer.OrgType
}

func readLabelled(t *testing.T, name string) []labelled {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		// asn, IPv4 addresses, type, name, then optionally IPv4 ranges,
		// countries, IPv6 ranges and where the row came from.
		f := strings.Split(line, "\t")
		if len(f) < 4 || len(f) > 8 {
			t.Fatalf("bad line %q", line)
		}
		asn, err1 := strconv.ParseUint(f[0], 10, 32)
		size, err2 := strconv.ParseUint(f[1], 10, 64)
		n := Network{ASN: uint32(asn), Org: f[3], Addresses4: size}
		var err3, err4, err5 error
		if len(f) >= 7 {
			n.Ranges4, err3 = strconv.Atoi(f[4])
			n.Countries, err4 = strconv.Atoi(f[5])
			n.Ranges6, err5 = strconv.Atoi(f[6])
		}
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
			t.Fatalf("bad line %q", line)
		}
		if len(f) == 8 && strings.HasPrefix(f[7], "unsure") {
			continue // the labeller could not tell: no truth to score against
		}
		out = append(out, labelled{n, foyer.OrgType(f[2])})
	}
	return out
}

// score returns precision and recall per type, and overall accuracy.
func score(set []labelled, classify func(Network) (foyer.OrgType, string)) (map[foyer.OrgType][2]float64, float64, []string) {
	tp, fp, fn := map[foyer.OrgType]int{}, map[foyer.OrgType]int{}, map[foyer.OrgType]int{}
	right := 0
	var wrong []string
	for _, l := range set {
		got, reason := classify(l.n)
		if got == l.want {
			tp[got]++
			right++
			continue
		}
		fp[got]++
		fn[l.want]++
		wrong = append(wrong, fmt.Sprintf("AS%d %q: %s (%s), labelled %s", l.n.ASN, l.n.Org, got, reason, l.want))
	}
	out := map[foyer.OrgType][2]float64{}
	for _, typ := range orgTypes {
		p, r := 1.0, 1.0
		if tp[typ]+fp[typ] > 0 {
			p = float64(tp[typ]) / float64(tp[typ]+fp[typ])
		}
		if tp[typ]+fn[typ] > 0 {
			r = float64(tp[typ]) / float64(tp[typ]+fn[typ])
		}
		out[typ] = [2]float64{p, r}
	}
	return out, float64(right) / float64(len(set)), wrong
}

// TestClassifierLabelled scores the classifier on the labelled samples, by
// its rules alone and with the curated list, and holds both to a floor.
// Run with -v to see the tables and the misses. The rules were tuned on
// labelled.tsv and, since issue 17, on heldout.tsv, then on tune.tsv and
// tune2.tsv (fresh samples, December 2026) too, so all four flatter them:
// the fair test is a set labelled by someone else (measure.tsv).
// The floors are what the classifier reached on them, a little rounded
// down, so that a change that loses ground fails.
func TestClassifierLabelled(t *testing.T) {
	for _, c := range []labelFloors{
		{file: "labelled.tsv", rules: 0.93, curated: 0.94, bizPrecision: 0.91, bizRecall: 0.93, carrierAsBiz: 0.035, govRecall: 0.97,
			orgPrecision: 0.95, orgRecall: 0.96},
		{file: "heldout.tsv", rules: 0.88, curated: 0.885, bizPrecision: 0.87, bizRecall: 0.91, carrierAsBiz: 0.075, govRecall: 0.90,
			orgPrecision: 0.935, orgRecall: 0.935},
		// A fresh tuning sample (December 2026), drawn by sample_tune.py
		// and labelled before the classifier was run on it.
		{file: "tune.tsv", rules: 0.915, curated: 0.93, bizPrecision: 0.90, bizRecall: 0.93, carrierAsBiz: 0.035, govRecall: 0.90,
			orgPrecision: 0.95, orgRecall: 0.98},
		// A second fresh tuning sample (December 2026, round 3), drawn by
		// `sample_tune.py tune2` and labelled before the classifier was run
		// on it.
		{file: "tune2.tsv", rules: 0.925, curated: 0.93, bizPrecision: 0.94, bizRecall: 0.91, carrierAsBiz: 0.015, govRecall: 0.99,
			orgPrecision: 0.965, orgRecall: 0.95},
		// Labelled by someone else, blind to the classifier, and never
		// tuned on: the fair measure. Rows whose labeller was unsure are
		// not scored. Round 3's own-network rule traded business precision
		// (0.82 → 0.80: public bodies and non-profits on a small network of
		// their own now read as business, and are still shown) for the
		// recall of what is shown (0.81 → 0.86); the floor follows it.
		{file: "measure.tsv", rules: 0.86, curated: 0.87, bizPrecision: 0.79, bizRecall: 0.83, carrierAsBiz: 0.04, govRecall: 0.79,
			orgPrecision: 0.91, orgRecall: 0.85},
	} {
		t.Run(c.file, func(t *testing.T) { testLabelled(t, c) })
	}
}

// labelFloors are the least a labelled file must score: accuracy by the
// rules alone and with the curated list, then with the curated list the
// precision and recall of business, the share of carriers and hosts shown
// as companies (at most) and the recall of government.
type labelFloors struct {
	file                    string
	rules, curated          float64
	bizPrecision, bizRecall float64
	carrierAsBiz, govRecall float64
	orgPrecision, orgRecall float64 // shown as an organisation of any type
}

func testLabelled(t *testing.T, floors labelFloors) {
	file, rulesFloor, curatedFloor, bizMin := floors.file, floors.rules, floors.curated, floors.bizPrecision
	set := readLabelled(t, file)
	if len(set) < 100 {
		t.Fatalf("%d labelled networks, want at least 100", len(set))
	}
	counts := map[foyer.OrgType]int{}
	for _, l := range set {
		counts[l.want]++
	}
	for _, c := range []struct {
		name     string
		classify func(Network) (foyer.OrgType, string)
		floor    float64 // accuracy
		business float64 // precision of business
	}{
		{"rules", classifyByRules, rulesFloor, bizMin},
		{"rules and curated list", Classify, curatedFloor, bizMin},
	} {
		per, acc, wrong := score(set, c.classify)
		var b strings.Builder
		fmt.Fprintf(&b, "%s: accuracy %.3f on %d networks\n", c.name, acc, len(set))
		types := append([]foyer.OrgType(nil), orgTypes...)
		sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
		for _, typ := range types {
			fmt.Fprintf(&b, "  %-10s n=%3d precision %.2f recall %.2f\n", typ, counts[typ], per[typ][0], per[typ][1])
		}
		g := goals(set, c.classify)
		fmt.Fprintf(&b, "  shown as companies: precision %.2f recall %.2f; carriers and hosts shown as companies %.1f%%; public bodies recognised %.0f%%\n",
			g.precision, g.recall, 100*g.carrierAsBiz, 100*g.govRecall)
		fmt.Fprintf(&b, "  shown as organisations (business, education, government, non-profit): precision %.3f recall %.3f\n",
			g.orgPrecision, g.orgRecall)
		t.Log(b.String())
		if testing.Verbose() {
			for _, w := range wrong {
				t.Log("  miss: " + w)
			}
		}
		if acc < c.floor {
			t.Errorf("%s: accuracy %.3f, want at least %.2f", c.name, acc, c.floor)
		}
		// A person's name is never a company: every one is caught.
		if per[foyer.OrgUnknown][1] < 1 {
			t.Errorf("%s: a person's name was classified as something else", c.name)
		}
		// Visits shown as companies must be companies: few carriers or
		// hosting networks among them.
		if p := per[foyer.OrgBusiness][0]; p < c.business {
			t.Errorf("%s: business precision %.2f, want at least %.2f", c.name, p, c.business)
		}
	}
	g := goals(set, Classify)
	if g.orgPrecision < floors.orgPrecision || g.orgRecall < floors.orgRecall {
		t.Errorf("with the curated list: shown as organisations, precision %.3f (want ≥ %.2f), recall %.3f (want ≥ %.2f)",
			g.orgPrecision, floors.orgPrecision, g.orgRecall, floors.orgRecall)
	}
	if g.recall < floors.bizRecall || g.carrierAsBiz > floors.carrierAsBiz || g.govRecall < floors.govRecall {
		t.Errorf("with the curated list: business recall %.2f (want ≥ %.2f), carriers and hosts shown as companies %.3f (want ≤ %.2f), government recall %.2f (want ≥ %.2f)",
			g.recall, floors.bizRecall, g.carrierAsBiz, floors.carrierAsBiz, g.govRecall, floors.govRecall)
	}
}

// goalFigures are the figures issue 17 sets goals for.
type goalFigures struct {
	precision, recall float64 // of business
	carrierAsBiz      float64 // carriers and hosts shown as companies
	govRecall         float64
	// orgPrecision and orgRecall are of what is shown as an organisation
	// (foyer.OrgType.IsCompany): the precision and recall.
	orgPrecision, orgRecall float64
}

func goals(set []labelled, classify func(Network) (foyer.OrgType, string)) goalFigures {
	var tp, fp, fn, ch, chBiz, gov, govOK, otp, ofp, ofn int
	for _, l := range set {
		got, _ := classify(l.n)
		// Shown as an organisation: any type linked to a company row.
		switch shown, should := got.IsCompany(), l.want.IsCompany(); {
		case shown && should:
			otp++
		case shown:
			ofp++
		case should:
			ofn++
		}
		switch {
		case got == foyer.OrgBusiness && l.want == foyer.OrgBusiness:
			tp++
		case got == foyer.OrgBusiness:
			fp++
		case l.want == foyer.OrgBusiness:
			fn++
		}
		if l.want == foyer.OrgISP || l.want == foyer.OrgHosting {
			ch++
			if got == foyer.OrgBusiness {
				chBiz++
			}
		}
		if l.want == foyer.OrgGovernment {
			gov++
			if got == l.want {
				govOK++
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	return goalFigures{ratio(tp, tp+fp), ratio(tp, tp+fn), ratio(chBiz, ch), ratio(govOK, gov), ratio(otp, otp+ofp), ratio(otp, otp+ofn)}
}

func TestCurated(t *testing.T) {
	if len(curated) < 50 {
		t.Fatalf("%d curated networks", len(curated))
	}
	for asn, c := range curated {
		got, reason := Classify(Network{ASN: asn, Org: "Misleading Name GmbH"})
		if got != c.typ || !strings.HasPrefix(reason, "curated list: ") {
			t.Errorf("AS%d: %s (%s), want %s from the curated list", asn, got, reason, c.typ)
		}
	}
	for _, bad := range []string{"1\tisp", "x\tisp\tName", "1\tcarrier\tName", "1\tisp\tA\n1\tisp\tB"} {
		if _, err := parseCurated(bad); err == nil {
			t.Errorf("parseCurated(%q) accepted it", bad)
		}
	}
}

func TestClassifyExamples(t *testing.T) {
	for _, c := range []struct {
		org  string
		size uint64
		want foyer.OrgType
	}{
		{"Acme Widgets GmbH", 1024, foyer.OrgBusiness},
		{"Example Cloud Hosting Ltd", 4096, foyer.OrgHosting},
		{"Hosting4Friends EOOD", 512, foyer.OrgHosting},
		{"T-Mobile USA, Inc.", 1 << 24, foyer.OrgISP},
		{"Sunline.net.ua LTD", 16384, foyer.OrgISP},
		{"Universität Beispielstadt", 65536, foyer.OrgEducation},
		{"Ministry of Finance", 256, foyer.OrgGovernment},
		{"Red Cross Society", 256, foyer.OrgNonprofit},
		{"John Smith", 256, foyer.OrgUnknown},
		{"Maria Rossi Ltd", 256, foyer.OrgUnknown},
		{"Jane Doe trading as Doe Consulting", 256, foyer.OrgUnknown},
		{"", 256, foyer.OrgUnknown},
		{"Big Legacy Corp", 1 << 24, foyer.OrgBusiness},
		{"Nameless Backbone", 1 << 24, foyer.OrgISP},
	} {
		if got, reason := classifyByRules(Network{Org: c.org, Addresses4: c.size}); got != c.want {
			t.Errorf("%q: %s (%s), want %s", c.org, got, reason, c.want)
		}
	}
}

func TestOperatorOverrides(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(dir+"/asn.csv", []byte("192.0.2.0,192.0.2.255,64500,Example Networks GmbH\n198.51.100.0,198.51.100.255,3320,Deutsche Telekom AG\n"), 0o600))
	// Without a list: the rules call the first a carrier.
	tab, err := Import{ASN: []string{dir + "/asn.csv"}}.Build(NewBuilder())
	must(t, err)
	if got := tab.Lookup(netip.MustParseAddr("192.0.2.1")).Type; got != foyer.OrgISP {
		t.Fatalf("without the operator's list: %s", got)
	}
	must(t, os.WriteFile(dir+"/classify.tsv", []byte("# ours\n64500\tbusiness\tExample Networks, our customer\n3320\thosting\tjust to show it wins\n"), 0o600))
	tab, err = Import{Dir: dir, ASN: []string{dir + "/asn.csv"}}.Build(NewBuilder())
	must(t, err)
	for ip, want := range map[string]foyer.OrgType{"192.0.2.1": foyer.OrgBusiness, "198.51.100.1": foyer.OrgHosting} {
		r := tab.Lookup(netip.MustParseAddr(ip))
		if r.Type != want || !strings.HasPrefix(r.Reason, "operator's list: ") {
			t.Errorf("%s: %s (%s), want %s from the operator's list", ip, r.Type, r.Reason, want)
		}
	}
	must(t, os.WriteFile(dir+"/classify.tsv", []byte("64500\tcustomer\tExample\n"), 0o600))
	if _, err := (Import{Dir: dir, ASN: []string{dir + "/asn.csv"}}).Build(NewBuilder()); err == nil || !strings.Contains(err.Error(), "classify.tsv: line 1: type") {
		t.Errorf("a bad list: got %v", err)
	}
}
