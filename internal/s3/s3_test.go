package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestSignAWSExample signs the GET of AWS's Signature Version 4 example
// ("GET Object", in the S3 API reference's "Examples: Signature
// Calculations") and finds AWS's signature.
func TestSignAWSExample(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	sign(req, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", emptySHA256,
		time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n%s\nwant\n%s", got, want)
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"foyer/foyer-20260101T000000Z-hourly.fbk": "foyer/foyer-20260101T000000Z-hourly.fbk",
		"a b+c/é~*": "a%20b%2Bc/%C3%A9~%2A",
	} {
		if got := escape(in, false); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := escape("a/b", true); got != "a%2Fb" {
		t.Errorf("escape of a query's slash: %q", got)
	}
}

func TestNewChecks(t *testing.T) {
	t.Parallel()
	ok := Config{Endpoint: "https://s3.example.com", Bucket: "b", AccessKey: "AK", SecretKey: "sk-very-secret"}
	c, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := c.Config(); cfg.Prefix != DefaultPrefix || cfg.Region != DefaultRegion {
		t.Errorf("defaults: %+v", cfg)
	}
	for name, mod := range map[string]func(*Config){
		"http to another host": func(c *Config) { c.Endpoint = "http://s3.example.com" },
		"no scheme":            func(c *Config) { c.Endpoint = "s3.example.com" },
		"user in the URL":      func(c *Config) { c.Endpoint = "https://u:p@s3.example.com" },
		"no bucket":            func(c *Config) { c.Bucket = "" },
		"no secret key":        func(c *Config) { c.SecretKey = "" },
		"no access key":        func(c *Config) { c.AccessKey = "" },
		"a leading slash":      func(c *Config) { c.Prefix = "/foyer/" },
	} {
		c := ok
		mod(&c)
		_, err := New(c)
		if foyer.ErrorCode(err) != foyer.EINVALID || strings.Contains(err.Error(), "sk-very-secret") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, ep := range []string{"http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"} {
		c := ok
		c.Endpoint = ep
		if _, err := New(c); err != nil {
			t.Errorf("%s: %v", ep, err)
		}
	}
}

// TestSecretRedacted: a Config printed or logged does not show its key.
func TestSecretRedacted(t *testing.T) {
	t.Parallel()
	c := Config{Endpoint: "https://s3.example.com", Bucket: "b", AccessKey: "AK", SecretKey: "sk-very-secret"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "s3", c, "key", c.SecretKey)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "s3", c, "key", c.SecretKey)
	fmt.Fprintf(&buf, "%v %+v %#v %s", c, c, c, c.SecretKey)
	if strings.Contains(buf.String(), "sk-very-secret") || !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("the secret shows:\n%s", buf.String())
	}
}

// fakeS3 starts an in-process S3 server with an empty bucket.
func fakeS3(t *testing.T, bucket string) *httptest.Server {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	return srv
}

// TestRoundTrip puts, lists and deletes objects on an S3 server, under
// a prefix with characters to escape, in one page of listing or several.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	srv := fakeS3(t, "backups")
	c, err := New(Config{Endpoint: srv.URL, Bucket: "backups", Prefix: "site a/foyer+", AccessKey: "AK", SecretKey: "SK"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f")
	data := bytes.Repeat([]byte("encrypted "), 1000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 3 {
		name := fmt.Sprintf("foyer-%d.fbk", i)
		if err := c.Upload(ctx, name, path); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	for _, page := range []int{0, 2, 1} {
		c.pageSize = page
		got, err := c.List(ctx)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("list in pages of %d: %v, %v; want %v", page, got, err, want)
		}
	}
	res, err := http.Get(srv.URL + "/backups/site%20a/foyer+foyer-1.fbk")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(body, data) {
		t.Errorf("downloaded %d bytes, want the %d uploaded", len(body), len(data))
	}
	if err := c.Delete(ctx, "foyer-1.fbk"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "foyer-1.fbk"); err != nil {
		t.Errorf("deleting a missing object: %v", err)
	}
	if got, _ := c.List(ctx); !slices.Equal(got, []string{"foyer-0.fbk", "foyer-2.fbk"}) {
		t.Errorf("after the delete: %v", got)
	}
	bad, _ := New(Config{Endpoint: srv.URL, Bucket: "nobucket", AccessKey: "AK", SecretKey: "SK"})
	if err := bad.Upload(ctx, "x", path); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("upload to a missing bucket: %v", err)
	}
}
