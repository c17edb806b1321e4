package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/loopback"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// maxRedirects bounds the redirects followed for one https fetch.
const maxRedirects = 10

func fetchHTTP(ctx context.Context, src string, opts Options) (Content, error) {
	u, err := url.Parse(src)
	if err != nil {
		// url.Parse errors quote the whole input, which may hold a token.
		return Content{}, errors.New("fetch: malformed URL")
	}
	where := redact.URL(u.String())
	if err := checkScheme(u, opts.AllowLoopbackHTTP); err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	client := http.Client{}
	if opts.HTTPClient != nil {
		client = *opts.HTTPClient
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return checkScheme(req.URL, opts.AllowLoopbackHTTP)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	return get(&client, req, where, opts.maxBytes(), func(resp *http.Response) error {
		return fmt.Errorf("HTTP %s", resp.Status)
	})
}

// get sends req, a GET of the file named where, and reads the answer:
// a 200 with at most maxBytes, else the error failed makes of it.
func get(client *http.Client, req *http.Request, where string, maxBytes int64, failed func(*http.Response) error) (Content, error) {
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the full URL; keep only its cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Content{}, fmt.Errorf("fetch %s: %w", where, failed(resp))
	}
	if resp.ContentLength > maxBytes {
		return Content{}, fmt.Errorf("fetch %s: %d bytes is larger than the %d-byte limit", where, resp.ContentLength, maxBytes)
	}
	data, err := readLimited(resp.Body, maxBytes)
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	return Content{Source: where, Data: data, ETag: resp.Header.Get("ETag")}, nil
}

// checkScheme allows https, and http only to a loopback host when allowed.
func checkScheme(u *url.URL, allowLoopbackHTTP bool) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if allowLoopbackHTTP && loopback.Host(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is refused for host %q: use https", u.Hostname())
	}
	return fmt.Errorf("unsupported scheme %q", u.Scheme)
}
