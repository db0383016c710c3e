package ipdata

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
	rng := rand.New(rand.NewPCG(1, 2))
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		if i%4 == 3 {
			addrs[i] = numAddr(u128{0x2000_0000_0000_0000 | rng.Uint64()>>3, rng.Uint64()}, true)
		} else {
			addrs[i] = numAddr(u128{lo: uint64(rng.Uint32())}, false)
		}
	}
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
