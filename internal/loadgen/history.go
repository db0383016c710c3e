package loadgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/foyerhq/foyer"
)

// History says what synthetic history to write into a site: months of
// visits from companies and from carriers, as the feed's benchmarks need.
type History struct {
	Events    int       // about this many events in all
	Days      int       // spread over this many days before End
	End       time.Time // the last day; now when zero
	Companies int       // distinct visiting companies
	// AnonymousShare is the share of visitors from carriers and hosting
	// networks, which are no company.
	AnonymousShare float64
	Seed           uint64
	Batch          int // events per Append; 2,000 when 0
}

// WriteHistory appends the history to the site through the store's own
// ingest path, a batch at a time, oldest first, and calls progress after
// each batch with the number of events written so far. It returns how many
// events it wrote.
//
// Companies are drawn with a long tail: a few visit often, most rarely.
// A visitor belongs to one organisation; a quarter of visits are a
// returning visitor's. A visit is 1 to 8 page views, each but the last
// followed by engaged time, and ends with an engagement event.
func WriteHistory(ctx context.Context, st foyer.EventService, site *foyer.Site, h History, progress func(int)) (int, error) {
	if h.Events <= 0 || h.Days <= 0 || h.Companies <= 0 {
		return 0, foyer.Errorf(foyer.EINVALID, "history: events, days and companies must be more than 0")
	}
	if h.End.IsZero() {
		h.End = time.Now()
	}
	if h.Batch <= 0 {
		h.Batch = 2000
	}
	if h.AnonymousShare == 0 {
		h.AnonymousShare = 0.6
	}
	rng := rand.New(rand.NewPCG(h.Seed, h.Seed^0x5eed))
	orgs := historyOrgs(h.Companies, rng)
	pages := newPages(200)
	start := h.End.Add(-time.Duration(h.Days) * 24 * time.Hour)
	// Visits start in time order, the last two hours before End (a visit
	// lasts a few minutes: none ends after End). A visit has 2.32 page
	// views on average (1 + ⌊min(7, 1.8·Exp(1))⌋), each with an engagement
	// event: 4.64 events.
	visits := int(float64(h.Events)/4.64) + 1
	step := float64(h.End.Add(-2*time.Hour).Sub(start)) / float64(visits)
	type visitor struct {
		uid string
		org int // index into orgs; -1: anonymous
	}
	var returning []visitor
	batch := make([]foyer.Hit, 0, h.Batch)
	written := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := st.Append(ctx, batch); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		written += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(written)
		}
		return ctx.Err()
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(h.Seed, 7)), 1.2, 4, uint64(len(orgs)-1))
	for i := 0; written+len(batch) < h.Events; i++ {
		at := start.Add(time.Duration(float64(min(i, visits)) * step))
		var v visitor
		if len(returning) > 0 && rng.Float64() < 0.25 {
			v = returning[rng.IntN(len(returning))]
		} else {
			v = visitor{uid: newVisitorID(rng), org: -1}
			if rng.Float64() >= h.AnonymousShare {
				v.org = int(zipf.Uint64())
			}
			if len(returning) < 50_000 {
				returning = append(returning, v)
			} else {
				returning[rng.IntN(len(returning))] = v
			}
		}
		origin := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Example Broadband", Type: foyer.OrgISP}}
		if v.org >= 0 {
			origin = orgs[v.org]
		}
		n := 1 + int(math.Min(7, rng.ExpFloat64()*1.8))
		for p := range n {
			pg := pages[rng.IntN(len(pages))]
			path := pg.url[len(pageOrigin):]
			hit := foyer.Hit{SiteID: site.ID, VisitorUID: v.uid, Time: at, Kind: foyer.KindPageview,
				Host: "localhost", Path: path, Title: pg.title, Origin: origin}
			if p == 0 && rng.IntN(3) == 0 {
				hit.Referrer = pick(rng, referrers)
			}
			batch = append(batch, hit)
			engaged := int64(5_000 + rng.IntN(120_000))
			at = at.Add(time.Duration(engaged) * time.Millisecond)
			eng := hit
			eng.Kind, eng.EngagedMS, eng.Referrer, eng.Title = foyer.KindEngagement, engaged, "", ""
			batch = append(batch, eng)
			at = at.Add(time.Duration(1+rng.IntN(20)) * time.Second)
		}
		if len(batch) >= h.Batch {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	return written, flush()
}

// historyOrgs makes n companies with names, domains, industries, sizes and
// countries.
func historyOrgs(n int, rng *rand.Rand) []foyer.Origin {
	industries := []string{"Software", "Manufacturing", "Retail", "Logistics", "Finance", "Health care", "Energy", "Media"}
	sizes := []string{"1-9", "10-49", "50-199", "200-499", "500-999", "1000+"}
	countries := []string{"DE", "NL", "FR", "GB", "US", "SE", "ES", "IT", "BE", "AT"}
	forms := []string{"GmbH", "BV", "SAS", "Ltd", "Inc", "AB", "SL", "SpA", "NV", "AG"}
	words := []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
		"Soylent", "Wonka", "Gringotts", "Oceanic", "Aperture", "Massive", "Virtucon", "Monarch", "Nakatomi", "Dunder"}
	orgs := make([]foyer.Origin, n)
	for i := range orgs {
		c := rng.IntN(len(countries))
		name := fmt.Sprintf("%s %s %d", words[i%len(words)], words[(i/len(words))%len(words)], i)
		orgs[i] = foyer.Origin{Country: countries[c], Org: foyer.Org{
			Name: name + " " + forms[c], Domain: fmt.Sprintf("company-%d.example", i), ASN: uint32(64512 + i%1000),
			Type: foyer.OrgBusiness, Industry: industries[rng.IntN(len(industries))], Size: sizes[rng.IntN(len(sizes))],
		}}
	}
	return orgs
}
