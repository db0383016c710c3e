package ipdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportProgress: an import tells each step as it begins, numbered, with
// the file's size, then the compilation.
func TestImportProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	asn, companies := filepath.Join(dir, "asn.csv"), filepath.Join(dir, "companies.csv")
	for p, text := range map[string]string{
		asn:       "192.0.2.0,192.0.2.255,64500,Example GmbH\n",
		companies: "cidr,name,domain,industry,employees,country\n192.0.2.0/28,Acme,acme.example,,,DE\n",
	} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var steps []string
	im := Import{Dir: dir, ASN: []string{asn}, Companies: []string{companies}, Progress: func(s string) { steps = append(steps, s) }}
	if _, err := im.Build(NewBuilder()); err != nil {
		t.Fatal(err)
	}
	want := []string{"[1/2] reading " + asn + " (0.0 MB)", "[2/2] reading " + companies + " (0.0 MB)", "compiling the table from 2 files"}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
}
