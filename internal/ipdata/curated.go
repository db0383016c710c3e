package ipdata

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// curated.tsv is the project's list of networks whose names mislead the
// rules: carriers, research networks and clouds named without the words
// that would tell. One line: AS number, type, name.
//
//go:embed curated.tsv
var curatedTSV string

type curatedEntry struct {
	typ  foyer.OrgType
	name string
}

var curated = mustParseCurated(curatedTSV)

func mustParseCurated(s string) map[uint32]curatedEntry {
	m, err := parseCurated(s)
	if err != nil {
		panic("curated.tsv: " + err.Error())
	}
	return m
}

// ClassifyFile is the operator's own list in the ipdata directory, in the
// curated list's format; it wins over the curated list.
const ClassifyFile = "classify.tsv"

// WithOverrides returns a classifier that answers from the operator's list
// (the text of a classify.tsv) first, then as Classify does.
func WithOverrides(text, name string) (func(Network) (foyer.OrgType, string), error) {
	own, err := parseCurated(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return func(n Network) (foyer.OrgType, string) {
		if c, ok := own[n.ASN]; ok {
			return c.typ, "operator's list: AS" + strconv.FormatUint(uint64(n.ASN), 10) + " is " + c.name
		}
		return Classify(n)
	}, nil
}

// parseCurated reads lines of AS number, type and name, tab-separated;
// blank lines and lines starting with # are skipped.
func parseCurated(s string) (map[uint32]curatedEntry, error) {
	m := map[uint32]curatedEntry{}
	for i, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want AS number, type and name, tab-separated", i+1)
		}
		asn, err := strconv.ParseUint(f[0], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: AS number %q", i+1, f[0])
		}
		typ := foyer.OrgType(f[1])
		if orgTypeNum(typ) == 0 && typ != foyer.OrgUnknown {
			return nil, fmt.Errorf("line %d: type %q: want one of %v", i+1, f[1], orgTypes)
		}
		if _, dup := m[uint32(asn)]; dup {
			return nil, fmt.Errorf("line %d: AS%d listed twice", i+1, asn)
		}
		m[uint32(asn)] = curatedEntry{typ, f[2]}
	}
	return m, nil
}
