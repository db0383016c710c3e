package ipdata

import (
	"container/heap"
	"slices"
)

// span is one range of a source and the value it gives the range: an index
// into the source's values.
type span struct {
	start, end u128
	val        int32
	order      int32 // position in the source: the later wins among equals
}

// flatten resolves the overlaps of spans. Each address gets the value of the
// most specific span that covers it (the smallest), and of the latest among
// spans of the same size, which is how a list of networks and the exceptions
// carved out of them reads. The result is sorted, does not overlap, and has
// no two adjacent spans with the same value.
func flatten(spans []span, v6 bool) []span {
	if len(spans) == 0 {
		return nil
	}
	byStart := slices.Clone(spans)
	slices.SortFunc(byStart, func(a, b span) int { return a.start.cmp(b.start) })
	points := boundaries(make([]u128, 0, 2*len(spans)), v6, spans)

	out := make([]span, 0, len(spans))
	var open spanHeap
	next := 0
	for i, p := range points {
		for next < len(byStart) && byStart[next].start == p {
			heap.Push(&open, byStart[next])
			next++
		}
		for len(open) > 0 && open[0].end.less(p) {
			heap.Pop(&open)
		}
		if len(open) == 0 {
			continue
		}
		win := open[0]
		end := top(v6)
		if i+1 < len(points) {
			end = points[i+1].prev()
		}
		if k := len(out) - 1; k >= 0 && out[k].val == win.val {
			if n, _ := out[k].end.next(); n == p {
				out[k].end = end
				continue
			}
		}
		out = append(out, span{start: p, end: end, val: win.val, order: win.order})
	}
	return out
}

// boundaries adds to points where each span of the layers starts and where
// the address after it would start (unless past the top of the space), and
// returns them sorted without repeats.
func boundaries(points []u128, v6 bool, layers ...[]span) []u128 {
	for _, spans := range layers {
		for _, s := range spans {
			points = append(points, s.start)
			if n, wrapped := s.end.next(); !wrapped && !top(v6).less(n) {
				points = append(points, n)
			}
		}
	}
	slices.SortFunc(points, u128.cmp)
	return slices.Compact(points)
}

// spanHeap keeps the most specific open span on top.
type spanHeap []span

func (h spanHeap) Len() int { return len(h) }
func (h spanHeap) Less(i, j int) bool {
	si, sj := h[i].end.sub(h[i].start), h[j].end.sub(h[j].start)
	if c := si.cmp(sj); c != 0 {
		return c < 0
	}
	return h[i].order > h[j].order
}
func (h spanHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *spanHeap) Push(x any)   { *h = append(*h, x.(span)) }
func (h *spanHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// overlay lays flattened layers over each other and returns, for every
// stretch of addresses where the combination changes, its start and each
// layer's value there (-1 where a layer has none). The stretches cover the
// family's whole space from address zero.
func overlay(layers [][]span, v6 bool) (starts []u128, vals [][]int32) {
	points := boundaries([]u128{{}}, v6, layers...)

	pos := make([]int, len(layers))
	var prev []int32
	for _, p := range points {
		cur := make([]int32, len(layers))
		for li, l := range layers {
			for pos[li] < len(l) && l[pos[li]].end.less(p) {
				pos[li]++
			}
			cur[li] = -1
			if pos[li] < len(l) && !p.less(l[pos[li]].start) {
				cur[li] = l[pos[li]].val
			}
		}
		if prev != nil && slices.Equal(prev, cur) {
			continue
		}
		starts = append(starts, p)
		vals = append(vals, cur)
		prev = cur
	}
	return starts, vals
}
