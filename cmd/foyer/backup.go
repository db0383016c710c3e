package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/s3"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/vault"
)

// defaultBackupDir is where backups go unless --backup-dir says otherwise.
const defaultBackupDir = "foyer-data/backups"

const backupUsage = `Usage: foyer backup create [--db DSN] [--key-file PATH] [--backup-dir DIR | --out FILE] [--backup-s3-… (see -h)]
       foyer backup list [--backup-dir DIR] [--key-file PATH]
       foyer backup verify [--db DSN] [--key-file PATH] [FILE…]
       foyer backup restore --db DSN [--key-file PATH] [--force] FILE

  create   take an encrypted backup of the database while it is in use, and copy
           it to an S3-compatible bucket when --backup-s3-endpoint names one
  list     show the backups in the backup directory, and whether they verified
  verify   restore each backup (default: the newest) into a scratch location and
           check it against its manifest; PostgreSQL backups restore into a scratch
           database on the --db server
  restore  put a backup in place of the database; refuses to replace one that
           holds tables without --force; stop foyer serve first
`

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return noSubcommand(args, backupUsage, stderr)
	}
	switch args[0] {
	case "create":
		return runBackupCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return runBackupList(args[1:], stdout, stderr)
	case "verify":
		return runBackupVerify(ctx, args[1:], stdout, stderr)
	case "restore":
		return runBackupRestore(ctx, args[1:], stdout, stderr)
	}
	return noSubcommand(args, backupUsage, stderr)
}

// backupFlags are the flags every backup subcommand shares.
type backupFlags struct {
	db, keyFile, dir *string
}

func newBackupFlags(fs *flag.FlagSet) backupFlags {
	return backupFlags{
		db:      dbFlag(fs),
		keyFile: fs.String("key-file", "", "the master key, from which the backups' key is derived (default: as foyer serve's)"),
		dir:     fs.String("backup-dir", defaultBackupDir, "the directory of the backups"),
	}
}

// keyPath is the master key file's path.
func (f backupFlags) keyPath() string {
	if *f.keyFile != "" {
		return *f.keyFile
	}
	return app.DefaultKeyFile(*f.db)
}

// key loads the master key file and returns the backups' key, which
// comes from the file alone (the database may be gone).
func (f backupFlags) key() (*vault.MasterKey, []byte, error) {
	m, err := vault.LoadMaster(f.keyPath())
	if err != nil {
		return nil, nil, foyer.Errorf(foyer.EINVALID, "%v", err)
	}
	return m, backup.Key(m), nil
}

func runBackupCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup create", "", stderr)
	fl := newBackupFlags(fs)
	out := fs.String("out", "", "the backup file to write (default: a new file in --backup-dir)")
	var bucketCfg s3.Config
	s3Flags(fs, &bucketCfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	var bucket *s3.Client
	if bucketCfg.Enabled() {
		var err error
		if bucket, err = s3.New(bucketCfg); err != nil {
			return err
		}
	}
	keys, key, err := fl.key()
	if err != nil {
		return err
	}
	if err := checkKeyOf(ctx, *fl.db, keys); err != nil {
		return err
	}
	now := time.Now()
	path := *out
	if path == "" {
		path = filepath.Join(*fl.dir, backup.FileName(now, "manual"))
	}
	m, err := backup.Create(ctx, *fl.db, path, key, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s backup, schema version %d, %d events, %s of data\n", path, m.Dialect, m.SchemaVersion,
		m.Tables["events"], byteSize(m.Size))
	if bucket != nil {
		name := filepath.Base(path)
		if err := bucket.Upload(ctx, name, path); err != nil {
			return fmt.Errorf("the backup is at %s, but its copy to the bucket failed: %w", path, err)
		}
		fmt.Fprintf(stdout, "copied to %s%s (the encrypted file only)\n", bucket, name)
	}
	return nil
}

// checkKeyOf refuses a master key that is not the one the database's
// personal fields are sealed under: its backups would be useless.
func checkKeyOf(ctx context.Context, db string, keys *vault.MasterKey) error {
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		path, _, _ = strings.Cut(path, "?")
		if _, err := os.Stat(path); err != nil {
			return foyer.Errorf(foyer.ENOTFOUND, "no database at %s", path)
		}
	}
	st, err := store.OpenNoMigrate(db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	check, err := st.MasterKeyCheck(ctx)
	if err != nil {
		return err
	}
	if check != "" && check != keys.Check() {
		return foyer.Errorf(foyer.EINVALID, "the key file is not this database's master key (check %.8s…): name that key with --key-file", check)
	}
	return nil
}

func runBackupList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup list", "", stderr)
	fl := newBackupFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, key, err := fl.key()
	if err != nil {
		return err
	}
	list, err := backup.List(*fl.dir, key)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "No backup in %s.\n", *fl.dir)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tTAKEN\tSIZE\tDIALECT\tSCHEMA\tVERIFIED")
	for _, in := range list {
		name := filepath.Base(in.Path)
		if in.Manifest == nil {
			fmt.Fprintf(tw, "%s\t-\t%s\t-\t-\tunreadable: %s\n", name, byteSize(in.Size), describe(in.Err))
			continue
		}
		verified := "no"
		if !in.Verified.IsZero() {
			verified = in.Verified.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", name, in.Manifest.Created.Local().Format(time.DateTime), byteSize(in.Size),
			in.Manifest.Dialect, in.Manifest.SchemaVersion, verified)
	}
	return tw.Flush()
}

func runBackupVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup verify", "[FILE…]", stderr)
	fl := newBackupFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, key, err := fl.key()
	if err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		list, err := backup.List(*fl.dir, key)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "no backup in %s", *fl.dir)
		}
		files = []string{list[len(list)-1].Path}
	}
	opt := backup.VerifyOptions{}
	if !strings.HasPrefix(*fl.db, "sqlite:") {
		opt.Postgres = *fl.db
	}
	for _, f := range files {
		m, err := backup.Verify(ctx, f, key, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: verified: %s, schema version %d, %d tables, %d rows\n", f, m.Dialect, m.SchemaVersion,
			len(m.Tables), sum(m.Tables))
	}
	return nil
}

func runBackupRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup restore", "FILE", stderr)
	fl := newBackupFlags(fs)
	force := fs.Bool("force", false, "replace a database that holds tables")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	_, key, err := fl.key()
	if err != nil {
		return err
	}
	ledger, err := restoreLedger(ctx, *fl.db, fl.keyPath())
	if err != nil {
		return err
	}
	m, err := backup.Restore(ctx, fs.Arg(0), *fl.db, key, *force, ledger)
	if err != nil {
		return err
	}
	if len(ledger) > 0 {
		fmt.Fprintf(stdout, "replayed the erasure ledger's %d entries: no contact erased since the backup is back\n", len(ledger))
	}
	fmt.Fprintf(stdout, "restored the backup of %s (schema version %d, %d rows); start foyer serve to apply any newer migrations\n",
		m.Created.Local().Format(time.DateTime), m.SchemaVersion, sum(m.Tables))
	return nil
}

// restoreLedger gathers the erasures a restore must replay: those of the
// ledger file beside the master key, and those of the database about to be
// replaced, when it can be read (it may be gone, or predate the ledger).
func restoreLedger(ctx context.Context, dsn, keyFile string) ([]foyer.Erasure, error) {
	ledger, err := store.ReadLedgerFile(app.LedgerFile(keyFile))
	if err != nil {
		return nil, err
	}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return ledger, nil // no database to read (and none to create by reading)
		}
	}
	if st, err := store.OpenNoMigrate(dsn, store.Options{}); err == nil {
		if more, err := st.Erasures(ctx); err == nil {
			ledger = append(ledger, more...)
		}
		st.Close()
	}
	return ledger, nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, k := range slices.Sorted(maps.Keys(m)) {
		n += m[k]
	}
	return n
}

// byteSize writes n bytes in a unit a person reads.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
