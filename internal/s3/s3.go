// Package s3 is a small client of the S3 protocol, enough to keep copies
// of Foyer's backups in a bucket of any S3-compatible service (AWS S3,
// MinIO, Ceph, Garage, the clouds' object stores): it puts a file,
// deletes an object and lists the objects under a prefix, with AWS
// Signature Version 4 and path-style addresses
// (ENDPOINT/BUCKET/KEY). It uses only the standard library.
package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Defaults of a Config's optional fields.
const (
	DefaultPrefix = "foyer/"
	DefaultRegion = "us-east-1"
)

// Secret is a value that is never shown: its String, GoString and
// LogValue say "[redacted]", so that a Config printed or logged by
// mistake does not hold the key.
type Secret string

// String returns "[redacted]".
func (Secret) String() string { return "[redacted]" }

// GoString returns "[redacted]", quoted, for %#v.
func (Secret) GoString() string { return `"[redacted]"` }

// LogValue returns "[redacted]" for slog.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText returns "[redacted]" for JSON and other encoders.
func (Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Config names a bucket and the credentials that write to it.
type Config struct {
	// Endpoint is the service's address: https://HOST[:PORT], or http
	// for a service on the same machine (127.0.0.1, ::1, localhost).
	Endpoint string
	Bucket   string
	// Prefix starts every object's name; DefaultPrefix when "".
	Prefix string
	// Region signs the requests; DefaultRegion when "".
	Region    string
	AccessKey string
	SecretKey Secret
}

// Enabled reports whether c names a bucket at all (any field but the
// defaulted ones set).
func (c Config) Enabled() bool {
	return c.Endpoint != "" || c.Bucket != "" || c.AccessKey != "" || c.SecretKey != ""
}

// Client puts, deletes and lists objects under a Config's prefix.
type Client struct {
	cfg  Config
	base *url.URL
	// HTTP sends the requests; defaultHTTP when nil.
	HTTP *http.Client
	// Now is the clock the requests are signed with; time.Now when nil.
	Now func() time.Time
	// pageSize, when not 0, is the max-keys of List's pages (tests).
	pageSize int
}

// New checks c and returns its client. Its errors are EINVALID, and never
// hold the secret key.
func New(c Config) (*Client, error) {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLocal(u.Hostname()))) {
		return nil, foyer.Errorf(foyer.EINVALID, "S3 endpoint %q: want https://HOST[:PORT] (http only for 127.0.0.1, ::1 or localhost)", c.Endpoint)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	switch {
	case c.Bucket == "" || strings.Contains(c.Bucket, "/"):
		return nil, foyer.Errorf(foyer.EINVALID, "S3 bucket %q: want a bucket's name", c.Bucket)
	case c.AccessKey == "" || c.SecretKey == "":
		return nil, foyer.Errorf(foyer.EINVALID, "S3 bucket %q: want an access key and a secret key", c.Bucket)
	case strings.HasPrefix(c.Prefix, "/"):
		return nil, foyer.Errorf(foyer.EINVALID, "S3 prefix %q: want no leading slash", c.Prefix)
	}
	return &Client{cfg: c, base: u}, nil
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the bucket for a log: endpoint, bucket and prefix,
// never the keys.
func (c *Client) String() string {
	return c.base.String() + "/" + c.cfg.Bucket + "/" + c.cfg.Prefix
}

// Config returns the client's config, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Upload puts the file at path as the object named name (under the
// prefix). The body's SHA-256 is signed, so the service refuses bytes
// that changed on the way.
func (c *Client) Upload(ctx context.Context, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("s3: upload %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("s3: upload %s: %w", name, err)
	}
	req, err := c.request(ctx, http.MethodPut, c.cfg.Prefix+name, nil, io.NopCloser(f))
	if err != nil {
		return err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	_, err = c.do(req, hex.EncodeToString(h.Sum(nil)), "upload "+name)
	return err
}

// Delete removes the object named name (under the prefix); one that does
// not exist is no error.
func (c *Client) Delete(ctx context.Context, name string) error {
	req, err := c.request(ctx, http.MethodDelete, c.cfg.Prefix+name, nil, nil)
	if err != nil {
		return err
	}
	_, err = c.do(req, emptySHA256, "delete "+name)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		return nil
	}
	return err
}

// List returns the names of the objects under the prefix, without it.
func (c *Client) List(ctx context.Context) ([]string, error) {
	var names []string
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {c.cfg.Prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		if c.pageSize > 0 {
			q.Set("max-keys", fmt.Sprint(c.pageSize))
		}
		req, err := c.request(ctx, http.MethodGet, "", q, nil)
		if err != nil {
			return nil, err
		}
		body, err := c.do(req, emptySHA256, "list "+c.cfg.Prefix)
		if err != nil {
			return nil, err
		}
		var res struct {
			Contents []struct {
				Key string
			}
			IsTruncated           bool
			NextContinuationToken string
		}
		if err := xml.Unmarshal(body, &res); err != nil {
			return nil, fmt.Errorf("s3: list %s: %w", c.cfg.Prefix, err)
		}
		for _, o := range res.Contents {
			if n, ok := strings.CutPrefix(o.Key, c.cfg.Prefix); ok && n != "" {
				names = append(names, n)
			}
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			return names, nil
		}
		token = res.NextContinuationToken
	}
}

// request makes a request of the bucket's object key ("" for the bucket).
func (c *Client) request(ctx context.Context, method, key string, q url.Values, body io.ReadCloser) (*http.Request, error) {
	u := *c.base
	p := c.base.Path + "/" + c.cfg.Bucket
	if key != "" {
		p += "/" + key
	}
	u.Path, u.RawPath = p, escape(p, false)
	u.RawQuery = canonicalQuery(q)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	return req, nil
}

// defaultHTTP sends the requests of a Client without its own: a service
// that does not answer fails the request (and the schedule's copy, which
// is retried at its next tick) instead of holding the schedule. No bound
// on the whole request: an upload takes as long as its size needs, and a
// connection that stops moving is ended by TCP's own timeouts.
var defaultHTTP = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   30 * time.Second,
	ResponseHeaderTimeout: 2 * time.Minute,
	ExpectContinueTimeout: time.Second,
	IdleConnTimeout:       90 * time.Second,
	ForceAttemptHTTP2:     true,
}}

// maxBody bounds what is read of an answer: a page of a listing is about
// 300 KiB at most.
const maxBody = 8 << 20

// do signs and sends req, and returns the answer's body; an answer other
// than 2xx is an error naming S3's code and message (ENOTFOUND for 404).
func (c *Client) do(req *http.Request, payloadHash, what string) ([]byte, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	sign(req, c.cfg.AccessKey, string(c.cfg.SecretKey), c.cfg.Region, payloadHash, now())
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("s3: %s: %w", what, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("s3: %s: %w", what, err)
	}
	if res.StatusCode/100 == 2 {
		return body, nil
	}
	var e struct{ Code, Message string }
	xml.Unmarshal(body, &e)
	msg := strings.TrimSpace(e.Code + " " + e.Message)
	if msg == "" {
		msg = http.StatusText(res.StatusCode)
	}
	err = fmt.Errorf("s3: %s: %s (HTTP %d)", what, msg, res.StatusCode)
	if res.StatusCode == http.StatusNotFound && e.Code != "NoSuchBucket" {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "%s", err.Error())
	}
	return nil, err
}
