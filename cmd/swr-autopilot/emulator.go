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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// runEmulator serves the in-memory SWR emulator until ctx is cancelled
// (SIGINT or SIGTERM). With one region it prints the base URL as the only
// line on stdout; with several (-region a,b) it serves each region at its
// own endpoint, copying synchronised tags between them, and prints one
// "<region> <URL>" line per region. The /_emulator/ controls it serves are
// unauthenticated: bind it to a loopback address.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot emulator -ak KEY -sk SECRET [flags]\n\nRun the in-memory SWR emulator; print its base URL (one \"<region> <URL>\" line per region\nwhen -region names several); stop on SIGINT/SIGTERM.\n\nflags:")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port (region i of several listens on port+i)")
	ak := fs.String("ak", "", "access key requests must be signed with (required)")
	sk := fs.String("sk", "", "secret key requests must be signed with (required)")
	var seeds seedFlags
	fs.Var(&seeds, "seed", "YAML or JSON seed file loaded at start, as FILE (the first region) or REGION=FILE; repeatable")
	quota := fs.Int("quota", swrtest.DefaultNamespaceQuota, "namespace quota of the account")
	latency := fs.Duration("latency", 0, "delay added to every request, e.g. 20ms")
	rate := fs.Float64("rate", 0, "rate limit in requests per second; 0 means none; beyond it 429 with Retry-After")
	burst := fs.Int("burst", 0, "rate limit burst (default: the rate rounded up)")
	user := fs.String("user", swrtest.DefaultUserName, "IAM user name the credentials belong to")
	password := fs.String("password", "", "IAM password accepted by POST /v3/auth/tokens (default: random, so token auth is off)")
	domain := fs.String("domain", swrtest.DefaultDomain, "account (domain) name")
	region := fs.String("region", swrtest.DefaultRegion, "region the emulator pretends to serve; several, comma-separated, serve one endpoint each (REGION/PROJECT: a further project of a region)")
	projectID := fs.String("project-id", "", "project id of the quotas path (default: derived from the region; one region only)")
	var reading swr.Reading
	fs.TextVar(&reading, "reading", swr.Reading{}, "how retention rules execute where SWR is undocumented: `key=value,…` of anchoring (substring|whole), order (updated|created), ties (desc|asc), cutoff (strict|inclusive), days (24h|utc|utc+8)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	regions := strings.Split(*region, ",")
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	case *ak == "" || *sk == "":
		fmt.Fprintln(stderr, "emulator: -ak and -sk are required")
		return 2
	case !(*rate >= 0 && !math.IsInf(*rate, 1)) || *burst < 0 || *quota < 0 || *latency < 0:
		fmt.Fprintln(stderr, "emulator: -rate must be a finite number, and -rate, -burst, -quota and -latency must not be negative")
		return 2
	case len(regions) > 1 && *projectID != "":
		fmt.Fprintln(stderr, "emulator: -project-id needs a single -region")
		return 2
	}
	for i, r := range regions {
		if r == "" || slices.Contains(regions[:i], r) {
			fmt.Fprintf(stderr, "emulator: -region %q names an empty or repeated region\n", *region)
			return 2
		}
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
	var servers []*swrtest.Server
	if len(regions) == 1 && !strings.Contains(regions[0], "/") {
		servers = []*swrtest.Server{swrtest.NewUnstartedServer(opts...)}
	} else {
		servers = swrtest.NewUnstartedCloud(regions, opts...).Servers()
	}
	if err := seeds.load(servers, regions); err != nil {
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		return 1
	}

	host, port, err := net.SplitHostPort(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: -listen: %v\n", err)
		return 2
	}
	firstPort, _ := strconv.Atoi(port)
	var running []*http.Server
	served := make(chan error, len(servers))
	for i, srv := range servers {
		addr := *listen
		if firstPort > 0 {
			addr = net.JoinHostPort(host, strconv.Itoa(firstPort+i))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(stderr, "emulator: %v\n", err)
			shutdownAll(running)
			return 1
		}
		srv.URL = "http://" + ln.Addr().String()
		hs := &http.Server{
			Handler:           srv.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			// Requests waiting out an injected delay end when ctx does.
			BaseContext: func(net.Listener) context.Context { return ctx },
		}
		running = append(running, hs)
		go func() { served <- hs.Serve(ln) }()
	}
	for i, srv := range servers {
		if len(servers) == 1 {
			fmt.Fprintln(stdout, srv.URL)
		} else {
			fmt.Fprintln(stdout, regions[i], srv.URL)
		}
	}

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "emulator: serve: %v\n", err)
		shutdownAll(running)
		return 1
	case <-ctx.Done():
	}
	if err := shutdownAll(running); err != nil {
		fmt.Fprintf(stderr, "emulator: shutdown: %v\n", err)
		return 1
	}
	for range running {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "emulator: serve: %v\n", err)
			return 1
		}
	}
	return 0
}

// shutdownAll stops the servers, giving requests in flight 5 seconds.
func shutdownAll(servers []*http.Server) error {
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, hs := range servers {
		errs = append(errs, hs.Shutdown(shutdown))
	}
	return errors.Join(errs...)
}

// seedFlags are the -seed flags: FILE for the first region, or
// REGION=FILE.
type seedFlags []string

func (f *seedFlags) String() string { return strings.Join(*f, ",") }

func (f *seedFlags) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// load seeds each server its files name; regions holds the -region entry
// of each server.
func (f seedFlags) load(servers []*swrtest.Server, regions []string) error {
	for _, v := range f {
		srv, file := servers[0], v
		if region, path, ok := strings.Cut(v, "="); ok {
			i := slices.Index(regions, region)
			if i < 0 {
				return fmt.Errorf("-seed %s: region %q is not served", v, region)
			}
			srv, file = servers[i], path
		}
		seed, err := swrtest.LoadSeed(file)
		if err == nil {
			err = srv.Seed(seed)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
