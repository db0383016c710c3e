package ipdata

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/oschwald/maxminddb-golang/v2"
)

// fullTable is the table `make ipdata` compiles from the open data;
// FOYER_IPDATA names another directory.
func fullTable(b *testing.B) string {
	dir := os.Getenv("FOYER_IPDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "foyer-data", "ipdata")
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no compiled table at %s: `make bench` fetches and compiles it", path)
	}
	return path
}

// BenchmarkLookupFull looks up random addresses, three in four IPv4, in the
// table compiled from the open data.
func BenchmarkLookupFull(b *testing.B) {
	t, err := Load(fullTable(b))
	if err != nil {
		b.Fatal(err)
	}
	addrs := benchAddrs()
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		if t.Lookup(addrs[i&(len(addrs)-1)]).Found {
			found++
		}
	}
	if found == 0 {
		b.Fatal("no address found")
	}
}

// BenchmarkLoadFull reads the table file and reports the heap it takes.
func BenchmarkLoadFull(b *testing.B) {
	path := fullTable(b)
	var heap uint64
	for b.Loop() {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		t, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap = m1.HeapAlloc - m0.HeapAlloc
		runtime.KeepAlive(t)
	}
	b.ReportMetric(float64(heap)/(1<<20), "MiB-heap")
}

// benchAddrs returns random addresses, three in four IPv4.
func benchAddrs() []netip.Addr {
	rng := rand.New(rand.NewPCG(1, 2))
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		if i%4 == 3 {
			addrs[i] = numAddr(u128{0x2000_0000_0000_0000 | rng.Uint64()>>3, rng.Uint64()}, true)
		} else {
			addrs[i] = numAddr(u128{lo: uint64(rng.Uint32())}, false)
		}
	}
	return addrs
}

// mmdbFromTable writes an MMDB with the same data as the table: for every
// stretch with a record, its AS number, organisation and country. It is
// kept in the temporary directory under the table's build time, as it
// takes a while to write.
func mmdbFromTable(b *testing.B, t *Table) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("foyer-bench-%d.mmdb", t.Info().BuiltAt.Unix()))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "Foyer-Bench", RecordSize: 28, IncludeReservedNetworks: true, DisableIPv4Aliasing: true})
	if err != nil {
		b.Fatal(err)
	}
	insert := func(start, end u128, v6 bool, rec uint32) {
		if rec == 0 {
			return
		}
		r := t.result(rec)
		m := mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(r.ASN),
			"autonomous_system_organization": mmdbtype.String(r.Org), "country": mmdbtype.String(r.Country)}
		first, last := numAddr(start, v6), numAddr(end, v6)
		if err := tree.InsertRange(net.IP(first.AsSlice()), net.IP(last.AsSlice()), m); err != nil {
			b.Fatal(err)
		}
	}
	for i := range t.v4start {
		end := top(false)
		if i+1 < len(t.v4start) {
			end = u128{lo: uint64(t.v4start[i+1]) - 1}
		}
		insert(u128{lo: uint64(t.v4start[i])}, end, false, t.v4rec[i])
	}
	for i := range t.v6hi {
		end := top(true)
		if i+1 < len(t.v6hi) {
			end = u128{t.v6hi[i+1], t.v6lo[i+1]}.prev()
		}
		insert(u128{t.v6hi[i], t.v6lo[i]}, end, true, t.v6rec[i])
	}
	f, err := os.CreateTemp(os.TempDir(), "foyer-bench-*.mmdb")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if err := os.Rename(f.Name(), path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLookupMMDB looks up the same addresses as BenchmarkLookupFull in
// an MMDB of the same data, with maxminddb-golang/v2, decoding the same
// fields.
func BenchmarkLookupMMDB(b *testing.B) {
	t, err := Load(fullTable(b))
	if err != nil {
		b.Fatal(err)
	}
	db, err := maxminddb.Open(mmdbFromTable(b, t))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	addrs := benchAddrs()
	var rec struct {
		ASN     uint32 `maxminddb:"autonomous_system_number"`
		Org     string `maxminddb:"autonomous_system_organization"`
		Country string `maxminddb:"country"`
	}
	// Both answer the same.
	for _, a := range addrs[:2000] {
		rec.ASN, rec.Org, rec.Country = 0, "", ""
		if err := db.Lookup(a).Decode(&rec); err != nil {
			b.Fatal(err)
		}
		if r := t.Lookup(a); r.ASN != rec.ASN || r.Org != rec.Org || r.Country != rec.Country {
			b.Fatalf("%s: table %d %q %q, mmdb %d %q %q", a, r.ASN, r.Org, r.Country, rec.ASN, rec.Org, rec.Country)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := db.Lookup(addrs[i&(len(addrs)-1)]).Decode(&rec); err != nil {
			b.Fatal(err)
		}
	}
}
