package source

import (
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/loopback"
	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
)

// defaultS3Region is used when neither Options nor the AWS environment
// name a region.
const defaultS3Region = "us-east-1"

// S3Error is an error answer of S3 to a GetObject, e.g. NoSuchKey,
// AccessDenied or PermanentRedirect (a bucket in another region).
type S3Error struct {
	StatusCode int
	Code       string // S3's error code; empty when the body held none
	Message    string
}

func (e *S3Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("S3 answered HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("S3 %s (HTTP %d): %s", e.Code, e.StatusCode, e.Message)
}

// fetchS3 reads an object with one GetObject request, signed with
// Signature Version 4, rather than through an AWS SDK.
func fetchS3(ctx context.Context, src string, opts Options) (Content, error) {
	bucket, key, ok := strings.Cut(strings.TrimPrefix(src, "s3://"), "/")
	if !ok || bucket == "" || key == "" {
		return Content{}, errors.New("fetch: an S3 source must be s3://bucket/key")
	}
	where := "s3://" + bucket + "/" + key
	req, err := newS3Request(ctx, bucket, key, opts.S3, time.Now())
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	client := http.Client{}
	if opts.HTTPClient != nil {
		client = *opts.HTTPClient
	}
	// A redirect is S3 naming another region or endpoint; following it
	// would send a signature made for this one.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return get(&client, req, where, opts.maxBytes(), readS3Error)
}

// newS3Request builds the signed GetObject request for bucket/key.
func newS3Request(ctx context.Context, bucket, key string, o S3Options, now time.Time) (*http.Request, error) {
	region := o.Region
	if region == "" {
		region = sigv4.RegionFromEnv(os.Getenv)
	}
	if region == "" {
		region = defaultS3Region
	}
	if o.Endpoint == "" {
		o.Endpoint = cmp.Or(os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"))
	}
	u, err := s3ObjectURL(bucket, key, region, o)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.URL.Path = u.Path // the key as it is: the signer escapes it
	if o.Anonymous {
		return req, nil
	}
	creds := o.Credentials
	if creds == (sigv4.Credentials{}) {
		if creds, err = sigv4.CredentialsFromEnv(os.Getenv); err != nil {
			return nil, err
		}
	}
	sigv4.Signer{Credentials: creds, Region: region, Service: "s3", ContentSHA256: true}.Sign(req, nil, now)
	return req, nil
}

// s3ObjectURL addresses the object virtual-hosted style
// (https://bucket.s3.region.amazonaws.com/key), or path style
// (endpoint/bucket/key) when asked, when the bucket name holds a dot,
// which no wildcard certificate covers, or when the endpoint is an IP
// address or localhost, which have no subdomains.
func s3ObjectURL(bucket, key, region string, o S3Options) (*url.URL, error) {
	endpoint := o.Endpoint
	if endpoint == "" {
		suffix := ".amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			suffix += ".cn"
		}
		endpoint = "https://s3." + region + suffix
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("the S3 endpoint must be an http(s) URL")
	}
	base := strings.TrimSuffix(u.Path, "/")
	if o.UsePathStyle || strings.Contains(bucket, ".") || loopback.Host(u.Hostname()) || net.ParseIP(u.Hostname()) != nil {
		u.Path = base + "/" + bucket + "/" + key
	} else {
		u.Host = bucket + "." + u.Host
		u.Path = base + "/" + key
	}
	u.RawPath, u.RawQuery, u.User = "", "", nil
	return u, nil
}

// readS3Error reads S3's XML error document, if any.
func readS3Error(resp *http.Response) error {
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	_ = xml.Unmarshal(body, &doc)
	return &S3Error{StatusCode: resp.StatusCode, Code: doc.Code, Message: doc.Message}
}
