package web

import "net/url"

// ActiveFilters counts the filters the feed applies, for the summary of the
// filters' panel: each filter field that is set, and a period of chosen
// dates; the order is not a filter.
func (d feedView) ActiveFilters() int {
	v, _ := url.ParseQuery(string(d.FilterQS))
	n := len(v)
	if v.Has("sort") {
		n--
	}
	if d.Period.Custom() {
		n++
	}
	return n
}
