package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/ipdata"
)

const defaultIPData = "./foyer-data/ipdata"

// ipdataFlag adds the --ipdata flag that serve and the ipdata commands share.
func ipdataFlag(fs *flag.FlagSet) *string {
	return fs.String("ipdata", defaultIPData, "directory of the compiled IP data table (and of the sources scripts/fetch-ipdata fetched)")
}

func runIPData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"import": runIPDataImport, "info": runIPDataInfo, "lookup": runIPDataLookup,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		return noSubcommand(args, `Usage: foyer ipdata COMMAND [flags]

  import   compile the fetched open data (and companies.csv) into the table serve loads
  info     show what the table was built from, with the sources' attribution
  lookup   print what the table says of each IP address given (writes nothing)
`, stderr)
	}
	return sub[args[0]](ctx, args[1:], stdout, stderr)
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runIPDataImport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ipdata import", "", stderr)
	dir := ipdataFlag(fs)
	var im ipdata.Import
	fs.Var((*listFlag)(&im.ASN), "asn-csv", "network table CSV (first,last,asn,organisation); repeat for more")
	fs.Var((*listFlag)(&im.Country), "country-csv", "country table CSV (first,last,country); repeat for more")
	fs.Var((*listFlag)(&im.MMDB), "mmdb", "MaxMind DB file (GeoLite2 City/ASN, DB-IP Lite, IPinfo Lite…) for cities, regions and networks; repeat for more")
	fs.StringVar(&im.Classify, "classify", "", "your own classification list: AS number, type, name, tab-separated (default: classify.tsv in --ipdata when present)")
	fs.Var((*listFlag)(&im.Companies), "companies", "your company ranges, CSV cidr,name,domain,industry,employees,country; they win over the open data")
	if err := parse(fs, args); err != nil {
		return err
	}
	im.Dir = *dir
	start := time.Now()
	im.Progress = func(step string) {
		fmt.Fprintf(stderr, "foyer ipdata import: %s (%v so far)\n", step, time.Since(start).Round(time.Second))
	}
	fmt.Fprintln(stderr, "foyer ipdata import: compiling the IP data table; with the open data this takes a minute or two")
	t, err := im.Build(ipdata.NewBuilder())
	if err != nil {
		return foyer.Errorf(foyer.EINVALID, "%v (the table in service is unchanged)", err)
	}
	path := filepath.Join(*dir, ipdata.FileName)
	if err := t.WriteFile(path); err != nil {
		return err
	}
	info := t.Info()
	fmt.Fprintf(stdout, "Compiled %d IPv4 and %d IPv6 ranges (%d distinct records) in %v into %s.\n",
		info.Ranges4, info.Ranges6, info.Records, time.Since(start).Round(10*time.Millisecond), path)
	fmt.Fprintln(stdout, "A running server loads it on SIGHUP (kill -HUP PID) or at its next start.")
	return nil
}

func runIPDataInfo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ipdata info", "", stderr)
	dir := ipdataFlag(fs)
	asJSON := fs.Bool("json", false, "print the table's header as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	t, err := ipdata.Load(filepath.Join(*dir, ipdata.FileName))
	if err != nil {
		return foyer.Errorf(foyer.ENOTFOUND, "%v (compile one with `foyer ipdata import`)", err)
	}
	info := t.Info()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintf(stdout, "Table:    %s (format %d)\nBuilt:    %s\nRanges:   %d IPv4, %d IPv6\nRecords:  %d\n\nSources:\n",
		filepath.Join(*dir, ipdata.FileName), info.Format, info.BuiltAt.Format(time.RFC3339), info.Ranges4, info.Ranges6, info.Records)
	for _, s := range info.Sources {
		fmt.Fprintf(stdout, "  %s (%s", s.Name, s.Kind)
		if s.Version != "" {
			fmt.Fprintf(stdout, ", version %s", s.Version)
		}
		fmt.Fprintf(stdout, ", %d rows)\n", s.Rows)
		if s.Attribution != "" {
			fmt.Fprintf(stdout, "    %s. Licence: %s. %s\n", s.Attribution, s.License, s.URL)
		}
	}
	return nil
}

// lookupLine is one line of `foyer ipdata lookup`.
type lookupLine struct {
	IP       string `json:"ip"`
	Org      string `json:"org"`
	ASN      uint32 `json:"asn"`
	Domain   string `json:"domain"`
	Country  string `json:"country"`
	City     string `json:"city"`
	Region   string `json:"region,omitempty"`
	Industry string `json:"industry,omitempty"`
	Size     string `json:"size,omitempty"`
	Type     string `json:"type"`
	Reason   string `json:"reason"`
	Custom   bool   `json:"custom,omitempty"`
	Error    string `json:"error,omitempty"`
}

func runIPDataLookup(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ipdata lookup", "IP…", stderr)
	dir := ipdataFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	t, err := ipdata.Load(filepath.Join(*dir, ipdata.FileName))
	if err != nil {
		return foyer.Errorf(foyer.ENOTFOUND, "%v (compile one with `foyer ipdata import`)", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	bad := 0
	for _, arg := range fs.Args() {
		line := lookupLine{IP: arg}
		ip, err := netip.ParseAddr(arg)
		if err != nil {
			line.Error = "not an IP address"
			bad++
		} else {
			r := t.Lookup(ip)
			line = lookupLine{IP: arg, Org: r.Org, ASN: r.ASN, Domain: r.Domain, Country: r.Country, City: r.City,
				Region: r.Region, Industry: r.Industry, Size: r.Size, Type: string(r.Type), Reason: r.Reason, Custom: r.Custom}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	if bad > 0 {
		return foyer.Errorf(foyer.EINVALID, "%d of the arguments are not IP addresses", bad)
	}
	return nil
}
