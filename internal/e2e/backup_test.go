package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestScheduledBackup: foyer serve takes its first hourly, daily and weekly
// backup at start, verified, and foyer backup list shows it verified; the
// backup restores into a new database. The e2e harness turns the schedule
// off for every other test.
func TestScheduledBackup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	backups := filepath.Join(dir, "backups")
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	s := startServer(t, files, "--db", db, "--demo", "--backup-dir", backups)
	if out := waitFor(files.stderr, "backup taken and verified", 20*time.Second); !strings.Contains(out, "kinds=hourly,daily,weekly") {
		t.Fatalf("no backup in the log:\n%s", out)
	}
	s.stop()
	list := exec.Command(foyerBin, "backup", "list", "--db", db, "--backup-dir", backups)
	list.Env = cleanEnv()
	out, err := list.CombinedOutput()
	if err != nil || strings.Count(string(out), "sqlite") != 3 {
		t.Fatalf("backup list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		if strings.HasSuffix(line, " no") {
			t.Errorf("not verified: %s", line)
		}
	}
	files2, _ := filepath.Glob(filepath.Join(backups, "*-hourly.fbk"))
	if len(files2) != 1 {
		t.Fatalf("hourly backups: %v", files2)
	}
	restore := exec.Command(foyerBin, "backup", "restore", "--db", "sqlite:"+filepath.Join(dir, "restored", "foyer.db"),
		"--key-file", filepath.Join(dir, "master.key"), files2[0])
	restore.Env = cleanEnv()
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("backup restore: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "restored", "foyer.db")); err != nil {
		t.Fatal(err)
	}
}
