package testutil

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSServer is a DNS server on 127.0.0.1 (UDP) that answers PTR queries
// from a table, for tests of reverse DNS. Addresses it does not know get
// NXDOMAIN; addresses mapped to "" get no answer at all, as a server that
// times out.
type DNSServer struct {
	Addr    string // host:port
	Queries atomic.Int64

	mu  sync.Mutex
	ptr map[string]string // reverse name (…in-addr.arpa.): PTR name
}

// NewDNSServer starts a server for ptr (address: PTR name); it stops when
// the test ends.
func NewDNSServer(t testing.TB, ptr map[string]string) *DNSServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &DNSServer{Addr: pc.LocalAddr().String(), ptr: map[string]string{}}
	for a, name := range ptr {
		s.ptr[ReverseName(netip.MustParseAddr(a))] = name
	}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := s.answer(buf[:n]); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	return s
}

func (s *DNSServer) answer(req []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	s.Queries.Add(1)
	name := strings.ToLower(q.Name.String())
	s.mu.Lock()
	target, known := s.ptr[name]
	s.mu.Unlock()
	if known && target == "" {
		return nil // silence: the client times out
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	if !known || q.Type != dnsmessage.TypePTR {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if known && q.Type == dnsmessage.TypePTR {
		b.PTRResource(dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypePTR, Class: dnsmessage.ClassINET, TTL: 60},
			dnsmessage.PTRResource{PTR: dnsmessage.MustNewName(target)})
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}

// ReverseName is the PTR query name of a: 4.3.2.1.in-addr.arpa. and the
// like.
func ReverseName(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return net.IPv4(b[3], b[2], b[1], b[0]).String() + ".in-addr.arpa."
	}
	b := a.As16()
	const hex = "0123456789abcdef"
	var sb strings.Builder
	for i := 15; i >= 0; i-- {
		sb.WriteByte(hex[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte(hex[b[i]>>4])
		sb.WriteByte('.')
	}
	sb.WriteString("ip6.arpa.")
	return sb.String()
}
