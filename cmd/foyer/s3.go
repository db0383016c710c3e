package main

import (
	"flag"

	"github.com/foyerhq/foyer/internal/s3"
)

// s3Flags adds the flags of the optional S3-compatible bucket that gets a
// copy of each backup (serve's scheduled ones, or the one backup create
// takes). Give the secret key through FOYER_BACKUP_S3_SECRET_KEY_FILE (or
// FOYER_BACKUP_S3_SECRET_KEY), not on the command line, where other users
// of the machine can read it.
func s3Flags(fs *flag.FlagSet, c *s3.Config) {
	fs.StringVar(&c.Endpoint, "backup-s3-endpoint", "", "an S3-compatible service to copy each backup to (the encrypted file only), "+
		"such as https://s3.eu-west-3.amazonaws.com; http only for 127.0.0.1 or localhost; default: no copy")
	fs.StringVar(&c.Bucket, "backup-s3-bucket", "", "the bucket the backups are copied to (addressed path-style: ENDPOINT/BUCKET/KEY)")
	fs.StringVar(&c.Prefix, "backup-s3-prefix", s3.DefaultPrefix, "what the backups' object names start with in the bucket")
	fs.StringVar(&c.Region, "backup-s3-region", s3.DefaultRegion, "the bucket's region, for the requests' signatures")
	fs.StringVar(&c.AccessKey, "backup-s3-access-key", "", "the access key ID that writes to the bucket")
	fs.Var(secretFlag{&c.SecretKey}, "backup-s3-secret-key", "the secret access key; better FOYER_BACKUP_S3_SECRET_KEY_FILE")
}

// secretFlag is a flag holding an s3.Secret. It is a secretValue: parse
// never repeats its value, and neither do its String (the default shown
// by --help) nor the Secret's own String.
type secretFlag struct{ p *s3.Secret }

func (f secretFlag) String() string { return "" }

func (f secretFlag) Set(v string) error {
	*f.p = s3.Secret(v)
	return nil
}

// Err returns nil: any value is taken, and checked with the rest of the
// bucket's config.
func (f secretFlag) Err() error { return nil }
