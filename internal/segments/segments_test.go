package segments_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/segments"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// TestJob: the running evaluator takes a contact edited into a segment's
// conditions into the segment, and Stop ends it.
func TestJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testutil.NewStore(t, store.SQLite, store.Options{})
	k, err := vault.New(make([]byte, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(k)
	ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	d, err := foyer.ParseSegmentDefinition(`{"match":"all","conditions":[{"kind":"contact","field":"role","op":"is","value":"CTO"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	sg := &foyer.Segment{WorkspaceID: ws.ID, Name: "CTOs", Definition: d}
	if err := s.SaveSegment(ctx, sg, "test"); err != nil {
		t.Fatal(err)
	}
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "jane@client.example", Role: "CFO"}
	if err := s.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	j := &segments.Job{Store: s, Interval: 10 * time.Millisecond}
	j.Start()
	defer j.Stop()
	if _, _, _, err := s.EditContact(ctx, ws.ID, c.ID, "test", func(c *foyer.Contact) error { c.Role = "CTO"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	for {
		list, err := s.SegmentMembers(ctx, ws.ID, sg.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(list, func(m foyer.SegmentMember) bool { return m.ContactID == c.ID }) {
			break
		}
		time.Sleep(10 * time.Millisecond) // the test's deadline bounds the wait
	}
}
