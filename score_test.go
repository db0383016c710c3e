package foyer

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var scoreNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestScoreParts(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	for _, c := range []struct {
		visits, pages, engagedMS int64
		age                      time.Duration
		want                     ScoreBreakdown
	}{
		{0, 0, 0, 30 * day, ScoreBreakdown{0, 0, 0, 1}},
		{1, 1, 0, 30 * day, ScoreBreakdown{4, 2, 0, 1}},
		{1, 1, 0, 0, ScoreBreakdown{4, 2, 0, 15}},
		{1, 1, 0, 7 * day, ScoreBreakdown{4, 2, 0, 8}}, // half of 15, rounded
		{5, 15, 10 * 60_000, day, ScoreBreakdown{10, 9, 9, 14}},
		{50, 200, 60 * 60_000, 2 * day, ScoreBreakdown{22, 17, 15, 12}},
		{500, 2000, 1000 * 60_000, 0, ScoreBreakdown{35, 25, 25, 15}},
		{5000, 1e6, 1e9, -day, ScoreBreakdown{35, 25, 25, 15}}, // capped; a visit "after now" counts as now
		{-3, -1, -5, 400 * day, ScoreBreakdown{0, 0, 0, 0}},
	} {
		got := ScoreParts(c.visits, c.pages, c.engagedMS, scoreNow.Add(-c.age), scoreNow)
		if got != c.want {
			t.Errorf("ScoreParts(%d visits, %d pages, %d ms, %v ago) = %+v, want %+v", c.visits, c.pages, c.engagedMS, c.age, got, c.want)
		}
		if s := Score(c.visits, c.pages, c.engagedMS, scoreNow.Add(-c.age), scoreNow); s != got.Total() ||
			s != got.Visits+got.Pages+got.Engaged+got.Recency {
			t.Errorf("Score = %d, the parts add up to %d", s, got.Total())
		}
	}
	if got := ScoreParts(3, 3, 0, time.Time{}, scoreNow); got.Recency != 0 {
		t.Errorf("no last visit: recency %d", got.Recency)
	}
}

// randomActivity is a company's period: visits log-uniform from 1 to 600
// (the range of the top 500 companies of a real month), 1 to 6 pages a
// visit, up to 90 s engaged a page, the last visit up to 30 days ago.
func randomActivity(r *rand.Rand) (visits, pages, engagedMS int64, lastAt time.Time) {
	visits = int64(math.Round(math.Exp(r.Float64() * math.Log(600))))
	pages = visits * (1 + r.Int64N(6))
	engagedMS = pages * r.Int64N(90_000)
	lastAt = scoreNow.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
	return
}

// TestScoreMonotone checks over many random inputs that the score never
// falls when visits, page views, engaged time or the last visit grow, and
// stays within 0 to 100.
func TestScoreMonotone(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		v, p, e, last := randomActivity(r)
		if r.IntN(4) == 0 { // small and odd values too
			v, p, e = r.Int64N(20), r.Int64N(50), r.Int64N(10*60_000)
		}
		s := Score(v, p, e, last, scoreNow)
		if s < 0 || s > 100 {
			t.Fatalf("Score(%d, %d, %d, %v) = %d", v, p, e, last, s)
		}
		dv, dp, de := r.Int64N(50), r.Int64N(200), r.Int64N(30*60_000)
		dt := time.Duration(r.Int64N(int64(10 * 24 * time.Hour)))
		for _, c := range []struct {
			what    string
			v, p, e int64
			last    time.Time
		}{
			{"visits", v + dv, p, e, last}, {"pages", v, p + dp, e, last}, {"engaged", v, p, e + de, last},
			{"last visit", v, p, e, last.Add(dt)}, {"all", v + dv, p + dp, e + de, last.Add(dt)},
		} {
			if got := Score(c.v, c.p, c.e, c.last, scoreNow); got < s {
				t.Fatalf("more %s: Score(%d, %d, %d, %v) = %d < Score(%d, %d, %d, %v) = %d",
					c.what, c.v, c.p, c.e, c.last, got, v, p, e, last, s)
			}
		}
	}
}

// TestScoreSpread checks that the score tells steady interest from heavy
// interest and does not saturate over realistic activity.
func TestScoreSpread(t *testing.T) {
	t.Parallel()
	lastAt := scoreNow.Add(-time.Hour)
	few, many := Score(5, 15, 5*60_000, lastAt, scoreNow), Score(596, 2400, 900*60_000, lastAt, scoreNow)
	if many-few < 40 {
		t.Errorf("5 visits score %d, 596 visits %d: not clearly apart", few, many)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const n = 20_000
	full, seen := 0, map[int]bool{}
	for range n {
		v, p, e, last := randomActivity(r)
		s := Score(v, p, e, last, scoreNow)
		if s == 100 {
			full++
		}
		seen[s] = true
	}
	if full*100 >= n {
		t.Errorf("%d of %d realistic companies score 100", full, n)
	}
	if len(seen) < 70 {
		t.Errorf("only %d different scores over realistic activity", len(seen))
	}
}
