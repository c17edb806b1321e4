package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// runEmulator serves the in-memory SWR emulator until ctx is cancelled
// (SIGINT or SIGTERM). It prints the base URL as the only line on stdout.
// The /_emulator/ controls it serves are unauthenticated: bind it to a
// loopback address.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot emulator -ak KEY -sk SECRET [flags]\n\nRun the in-memory SWR emulator; print its base URL; stop on SIGINT/SIGTERM.\n\nflags:")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port")
	ak := fs.String("ak", "", "access key requests must be signed with (required)")
	sk := fs.String("sk", "", "secret key requests must be signed with (required)")
	seedFile := fs.String("seed", "", "YAML or JSON seed file loaded at start")
	quota := fs.Int("quota", swrtest.DefaultNamespaceQuota, "namespace quota of the account")
	latency := fs.Duration("latency", 0, "delay added to every request, e.g. 20ms")
	rate := fs.Float64("rate", 0, "rate limit in requests per second; 0 means none; beyond it 429 with Retry-After")
	burst := fs.Int("burst", 0, "rate limit burst (default: the rate rounded up)")
	user := fs.String("user", swrtest.DefaultUserName, "IAM user name the credentials belong to")
	password := fs.String("password", "", "IAM password accepted by POST /v3/auth/tokens (default: random, so token auth is off)")
	domain := fs.String("domain", swrtest.DefaultDomain, "account (domain) name")
	region := fs.String("region", swrtest.DefaultRegion, "region the emulator pretends to serve")
	projectID := fs.String("project-id", "", "project id of the quotas path (default: derived from the region)")
	var reading swr.Reading
	fs.TextVar(&reading, "reading", swr.Reading{}, "how retention rules execute where SWR is undocumented: `key=value,…` of anchoring (substring|whole), order (updated|created), ties (desc|asc), cutoff (strict|inclusive), days (24h|utc|utc+8)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	case *ak == "" || *sk == "":
		fmt.Fprintln(stderr, "emulator: -ak and -sk are required")
		return 2
	case *rate < 0 || *burst < 0 || *quota < 0 || *latency < 0:
		fmt.Fprintln(stderr, "emulator: -rate, -burst, -quota and -latency must not be negative")
		return 2
	}

	opts := []swrtest.Option{
		swrtest.WithCredentials(*ak, *sk),
		swrtest.WithNamespaceQuota(*quota),
		swrtest.WithLatency(*latency),
		swrtest.WithUser(*user, *password),
		swrtest.WithDomain(*domain),
		swrtest.WithRegion(*region),
		swrtest.WithProjectID(*projectID),
		swrtest.WithReadings(reading),
	}
	if *rate > 0 {
		b := *burst
		if b == 0 {
			b = int(math.Ceil(*rate))
		}
		opts = append(opts, swrtest.WithRateLimit(*rate, b))
	}
	srv := swrtest.NewUnstartedServer(opts...)
	if *seedFile != "" {
		seed, err := swrtest.LoadSeed(*seedFile)
		if err == nil {
			err = srv.Seed(seed)
		}
		if err != nil {
			fmt.Fprintf(stderr, "emulator: %v\n", err)
			return 1
		}
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		return 1
	}
	srv.URL = "http://" + ln.Addr().String()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Requests waiting out an injected delay end when ctx does.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintln(stdout, srv.URL)

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "emulator: serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "emulator: shutdown: %v\n", err)
		return 1
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "emulator: serve: %v\n", err)
		return 1
	}
	return 0
}
