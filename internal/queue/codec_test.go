package queue

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// sampleBatch has one hit of each kind, every field set somewhere.
func sampleBatch() foyer.Batch {
	at := time.Date(2026, 12, 4, 16, 30, 0, 123456789, time.UTC)
	origin := foyer.Origin{Country: "DE", City: "Berlin", Org: foyer.Org{Name: "Acme GmbH", Domain: "acme.example",
		DomainHint: "", ASN: 4294967295, Type: "business", Industry: "Software", Size: "51-200"}}
	return foyer.Batch{ID: "0123456789abcdef0123456789abcdef", Hits: []foyer.Hit{
		{SiteID: 7, VisitorUID: "v-1", Time: at, Kind: foyer.KindPageview, Host: "www.example.com", Path: "/pricing?plan=pro",
			Title: "Pricing — Ünïcode", Referrer: "https://news.example/x", Origin: origin,
			UTM: foyer.UTM{Source: "news", Medium: "email", Campaign: "c", Term: "t", Content: "x"}},
		{SiteID: 7, VisitorUID: "v-1", Time: at.Add(time.Second), Kind: foyer.KindEngagement, Host: "www.example.com",
			Path: "/pricing", EngagedMS: 12345, Origin: origin},
		{SiteID: 7, VisitorUID: "v-1", Time: at, Kind: foyer.KindOutbound, Host: "www.example.com", Path: "/",
			Target: "https://other.example/"},
		{SiteID: -1, VisitorUID: "v-2", Time: time.Unix(0, 0).UTC(), Kind: foyer.KindIdentify, Host: "h", Path: "/",
			ContactID: 1 << 40, Via: foyer.ViaHubSpot},
	}}
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	b := sampleBatch()
	msg := Encode(b)
	got, err := Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, b)
	}
	// Times in another location come back as the same instant, in UTC.
	b.Hits[0].Time = b.Hits[0].Time.In(time.FixedZone("X", 3600))
	got, err = Decode(Encode(b))
	if err != nil || !got.Hits[0].Time.Equal(b.Hits[0].Time) {
		t.Errorf("time in another zone: %v %v", got.Hits[0].Time, err)
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	t.Parallel()
	good := Encode(sampleBatch())
	cases := map[string][]byte{
		"empty":             nil,
		"unknown version":   append([]byte{2}, good[1:]...),
		"truncated":         good[:len(good)-1],
		"trailing bytes":    append(append([]byte{}, good...), 0),
		"no hits":           Encode(foyer.Batch{ID: "x"}),
		"empty ID":          Encode(foyer.Batch{ID: "", Hits: sampleBatch().Hits}),
		"long ID":           Encode(foyer.Batch{ID: string(bytes.Repeat([]byte("a"), foyer.MaxBatchID+1)), Hits: sampleBatch().Hits}),
		"huge count":        {1, 1, 'x', 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge string":       {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"json":              []byte(`{"id":"x","hits":[]}`),
		"bad varint":        {1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},
		"kind out of range": append(append([]byte{1, 1, 'x', 1, 2, 1, 'v', 2}, 0x80, 0x04), bytes.Repeat([]byte{0}, 30)...),
	}
	for name, msg := range cases {
		if b, err := Decode(msg); err == nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %+v, %v; want ErrMalformed", name, b, err)
		}
	}
}

// FuzzDecode: Decode never panics, refuses garbage with ErrMalformed, and
// what it accepts survives a round trip. The kept corpus is in
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(sampleBatch()))
	f.Add(Encode(foyer.Batch{ID: "a", Hits: []foyer.Hit{{}}}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, msg []byte) {
		b, err := Decode(msg)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		again, err := Decode(Encode(b))
		if err != nil || !reflect.DeepEqual(again, b) {
			t.Fatalf("decoded batch does not survive a round trip: %v\n%+v\n%+v", err, b, again)
		}
	})
}
