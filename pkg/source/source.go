// Package source is the one loader of the files the product reads (the
// policy, the team directory): a local path or file:// URL, an https://
// URL, or an s3://bucket/key object fetched with one GetObject request
// signed with Signature Version 4 (package sigv4), without an AWS SDK.
//
// Every source has a size limit and a timeout, and no error Fetch returns
// holds the credentials a source may carry (user information or a
// pre-signed query in a URL): errors and Content.Source name the source
// through package redact.
package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
)

// Fetch limits used when Options leaves them zero.
const (
	DefaultMaxBytes = 1 << 20 // 1 MiB
	DefaultTimeout  = 30 * time.Second
)

// Options tune Fetch. The zero value is ready to use.
type Options struct {
	// HTTPClient fetches https:// sources and carries S3 requests
	// (http.DefaultClient's settings when nil).
	HTTPClient *http.Client
	// MaxBytes caps the size of a file (DefaultMaxBytes when 0).
	MaxBytes int64
	// Timeout bounds one fetch (DefaultTimeout when 0).
	Timeout time.Duration
	// AllowLoopbackHTTP permits plain http:// URLs whose host is a
	// loopback address, for local servers and tests. Other http:// URLs
	// are always refused.
	AllowLoopbackHTTP bool
	// S3 configures s3://bucket/key sources.
	S3 S3Options
}

// S3Options configure GetObject requests for s3:// sources, which are
// signed with Signature Version 4 without an AWS SDK. Anything left empty
// comes from the environment Lambda sets: AWS_REGION (or
// AWS_DEFAULT_REGION), and the execution role's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the endpoint from
// AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), as AWS SDKs read it.
type S3Options struct {
	// Region of the bucket; "us-east-1" when neither this nor the
	// environment names one.
	Region string
	// Endpoint overrides https://s3.<region>.amazonaws.com, e.g. for an
	// S3-compatible store.
	Endpoint string
	// UsePathStyle addresses objects as endpoint/bucket/key rather than
	// bucket.endpoint/key (always so for a bucket name with a dot).
	UsePathStyle bool
	// Credentials replace the environment's when set.
	Credentials sigv4.Credentials
	// Anonymous sends requests unsigned, for a public bucket.
	Anonymous bool
}

// Content is a fetched file.
type Content struct {
	// Source names where the file came from, without any user
	// information or query string (which may hold credentials).
	Source string
	// Data is the file as fetched.
	Data []byte
	// ETag is the entity tag the server sent, verbatim with its quotes;
	// empty for local files and servers that send none.
	ETag string
	// SHA256 is the hex SHA-256 of Data. Two fetches with the same
	// SHA256 hold the same file.
	SHA256 string
}

// Fetch reads a file from src: a local path (or file:// URL), an
// https:// URL or an s3://bucket/key object. It refuses files larger than
// the size limit and stops after the timeout.
func Fetch(ctx context.Context, src string, opts Options) (Content, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var (
		c   Content
		err error
	)
	switch scheme, _, _ := strings.Cut(src, "://"); {
	case scheme == "s3":
		c, err = fetchS3(ctx, src, opts)
	case scheme == "https" || scheme == "http":
		c, err = fetchHTTP(ctx, src, opts)
	case scheme == "file":
		c, err = fetchFile(strings.TrimPrefix(src, "file://"), opts.maxBytes())
	case strings.Contains(src, "://"):
		return Content{}, fmt.Errorf("fetch: unsupported source scheme %q: use a path, https:// or s3://", scheme)
	default:
		c, err = fetchFile(src, opts.maxBytes())
	}
	if err != nil {
		return Content{}, redact.Error(err)
	}
	sum := sha256.Sum256(c.Data)
	c.SHA256 = hex.EncodeToString(sum[:])
	return c, nil
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

func fetchFile(path string, maxBytes int64) (Content, error) {
	f, err := os.Open(path)
	if err != nil {
		return Content{}, fmt.Errorf("fetch: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, maxBytes)
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", path, err)
	}
	return Content{Source: path, Data: data}, nil
}

// readLimited reads r to the end, failing once more than maxBytes arrive.
func readLimited(r io.Reader, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("larger than the %d-byte limit", maxBytes)
	}
	return data, nil
}
