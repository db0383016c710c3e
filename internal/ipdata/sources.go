package ipdata

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// openPackage is an open data package that scripts/fetch-ipdata puts under
// DIR/src/NAME, with the attribution its licence asks for.
type openPackage struct {
	dir, kind   string
	files       []string
	license     string
	attribution string
	url         string
}

var openPackages = []openPackage{
	{
		dir: "asn", kind: "asn", files: []string{"asn-ipv4.csv", "asn-ipv6.csv"},
		license: "CC BY 4.0",
		attribution: "Networks and their organisations: RouteViews (routeviews.org), the IP to ASN Lite database " +
			"by DB-IP (db-ip.com) and the regional registries' statistics via the NRO (nro.net), merged by the " +
			"ip-location-db project (npm @ip-location-db/asn)",
		url: "https://db-ip.com",
	},
	{
		dir: "geo-whois-asn-country", kind: "country",
		files:   []string{"geo-whois-asn-country-ipv4.csv", "geo-whois-asn-country-ipv6.csv"},
		license: "CC BY 4.0",
		attribution: "Countries: registry (WHOIS) data and the regional registries' statistics via the NRO (nro.net), " +
			"merged by the ip-location-db project (npm @ip-location-db/geo-whois-asn-country)",
		url: "https://www.nro.net",
	},
}

// CompaniesFile is the operator's company list in the ipdata directory,
// compiled in when present.
const CompaniesFile = "companies.csv"

// Import says what to compile. With no file named, it takes the packages
// scripts/fetch-ipdata fetched into Dir/src, Dir/companies.csv if there is
// one, and every Dir/mmdb/*.mmdb.
type Import struct {
	Dir       string
	ASN       []string // network tables (first,last,asn,organisation)
	Country   []string // country tables (first,last,country)
	Companies []string // the operator's company lists
	MMDB      []string // MaxMind DB files (GeoLite2, DB-IP Lite, IPinfo Lite…)
	// Classify is the operator's classification list (AS number, type,
	// name); Dir/classify.tsv when empty and present.
	Classify string
	// Progress, when not nil, is told each step as it begins ("[2/5]
	// reading …"), so that a long import is not silent.
	Progress func(step string)
}

// step is one file an import reads: kind asn, country, companies or mmdb.
type step struct {
	kind, path string
	src        Source
}

// ErrNoSources is returned when the import names no file and nothing was
// fetched.
var ErrNoSources = errors.New("no IP data to compile")

// Build reads the sources and compiles the table. The first malformed line
// fails the whole import, naming its file and line.
func (im Import) Build(b *Builder) (*Table, error) {
	own := im.Classify
	if own == "" {
		if p := filepath.Join(im.Dir, ClassifyFile); im.Dir != "" {
			if _, err := os.Stat(p); err == nil {
				own = p
			}
		}
	}
	if own != "" {
		text, err := os.ReadFile(own)
		if err != nil {
			return nil, err
		}
		if b.Classify, err = WithOverrides(string(text), own); err != nil {
			return nil, err
		}
		b.sources = append(b.sources, Source{Kind: "classify", Name: own, Rows: strings.Count(string(text), "\n")})
	}
	steps, err := im.steps()
	if err != nil {
		return nil, err
	}
	for i, st := range steps {
		size := ""
		if fi, err := os.Stat(st.path); err == nil {
			size = fmt.Sprintf(" (%.1f MB)", float64(fi.Size())/1e6)
		}
		im.progress(fmt.Sprintf("[%d/%d] reading %s%s", i+1, len(steps), st.path, size))
		if err := addFile(b, st.kind, st.path, st.src); err != nil {
			return nil, err
		}
	}
	im.progress(fmt.Sprintf("compiling the table from %d files", len(steps)))
	return b.Build()
}

func (im Import) progress(s string) {
	if im.Progress != nil {
		im.Progress(s)
	}
}

// steps lists the files to read: those named, or, when none is, what was
// fetched into Dir/src, Dir/mmdb/*.mmdb and Dir/companies.csv.
func (im Import) steps() ([]step, error) {
	var steps []step
	if len(im.ASN)+len(im.Country)+len(im.Companies)+len(im.MMDB) == 0 {
		for _, p := range openPackages {
			dir := filepath.Join(im.Dir, "src", p.dir)
			version, err := packageVersion(dir)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, f := range p.files {
				path := filepath.Join(dir, f)
				steps = append(steps, step{p.kind, path, Source{Name: path, Version: version, License: p.license, Attribution: p.attribution, URL: p.url}})
			}
		}
		mmdbs, _ := filepath.Glob(filepath.Join(im.Dir, "mmdb", "*.mmdb"))
		for _, f := range mmdbs {
			steps = append(steps, step{"mmdb", f, Source{Name: f}})
		}
		companies := filepath.Join(im.Dir, CompaniesFile)
		if _, err := os.Stat(companies); err == nil {
			steps = append(steps, step{"companies", companies, Source{Name: companies}})
		}
		if len(steps) == 0 {
			return nil, fmt.Errorf("%w in %s: run scripts/fetch-ipdata %s, or name files with --asn-csv, --country-csv, --mmdb, --companies",
				ErrNoSources, im.Dir, im.Dir)
		}
		return steps, nil
	}
	for _, l := range []struct {
		kind  string
		files []string
	}{{"asn", im.ASN}, {"country", im.Country}, {"mmdb", im.MMDB}, {"companies", im.Companies}} {
		for _, f := range l.files {
			steps = append(steps, step{l.kind, f, Source{Name: f}})
		}
	}
	return steps, nil
}

func addFile(b *Builder, kind, path string, src Source) error {
	if kind == "mmdb" {
		return b.AddMMDB(path, src)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	switch kind {
	case "asn":
		return b.AddASNCSV(f, src)
	case "country":
		return b.AddCountryCSV(f, src)
	default:
		return b.AddCompaniesCSV(f, src)
	}
}

// packageVersion reads the version of a fetched npm package.
func packageVersion(dir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	return p.Version, nil
}
