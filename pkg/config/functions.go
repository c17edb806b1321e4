package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// Function is the part of the configuration every function shares: how to
// reach SWR, how to authenticate webhooks, where reports go.
type Function struct {
	SWR

	DryRun             bool          `envconfig:"AUTOPILOT_DRY_RUN" default:"false" desc:"plan, guard and report, but write nothing"`
	WebhookAuthHeader  string        `envconfig:"AUTOPILOT_WEBHOOK_AUTH_HEADER" secret:"true" json:"-" desc:"exact Authorization header value webhooks must send (Harbor / SWR Enterprise auth_header)"`
	WebhookHMACSecret  string        `envconfig:"AUTOPILOT_WEBHOOK_HMAC_SECRET" secret:"true" json:"-" desc:"key of the HMAC-SHA256 body signature webhooks may send instead"`
	WebhookAuthOff     bool          `envconfig:"AUTOPILOT_WEBHOOK_AUTH_DISABLED" default:"false" desc:"accept unauthenticated HTTP input (only behind another guard, e.g. a Function URL with AWS_IAM)"`
	Sink               string        `envconfig:"AUTOPILOT_SINK" url:"true" desc:"URL that receives changes and findings as CloudEvents; K_SINK is used when unset"`
	KSink              string        `envconfig:"K_SINK" url:"true" desc:"Knative's sink URL (used when AUTOPILOT_SINK is unset)"`
	MetricsNamespace   string        `envconfig:"AUTOPILOT_METRICS_NAMESPACE" default:"SWRAutopilot" desc:"CloudWatch namespace of the EMF metrics"`
	Metrics            bool          `envconfig:"AUTOPILOT_METRICS" default:"true" desc:"write CloudWatch Embedded Metric Format lines to standard output"`
	DeadlineMargin     time.Duration `envconfig:"AUTOPILOT_DEADLINE_MARGIN" default:"500ms" desc:"time kept back before the invocation deadline to answer"`
	DedupeSize         int           `envconfig:"AUTOPILOT_DEDUPE_SIZE" default:"10000" desc:"event ids remembered per warm instance to skip redeliveries"`
	ScheduledEventKind string        `envconfig:"AUTOPILOT_SCHEDULED_KIND" desc:"what a bare EventBridge 'Scheduled Event' means: sweep or grantsync (default: the function's own job)"`
	// Targets names the targets file. Without one the function governs
	// one registry, described by the SWR variables.
	Targets string `envconfig:"AUTOPILOT_TARGETS" url:"true" desc:"targets file (regions and projects to govern): a path, an https URL or s3://bucket/key; empty = one target from the variables above"`
}

// OnPush configures the onpush function.
type OnPush struct {
	Function
	Policy   string        `envconfig:"AUTOPILOT_POLICY" url:"true" desc:"policy file: a path, an https URL or s3://bucket/key"`
	CacheTTL time.Duration `envconfig:"AUTOPILOT_CACHE_TTL" default:"5m" desc:"how long a repository seen conformant is not read again; 0 turns the cache off"`
}

// ConformantCacheTTL is CacheTTL as onpush.Config takes it: negative when
// AUTOPILOT_CACHE_TTL=0 turns the cache off.
func (c OnPush) ConformantCacheTTL() time.Duration {
	if c.CacheTTL == 0 {
		return -1
	}
	return c.CacheTTL
}

// Sweep configures the retentionsweep function.
type Sweep struct {
	Function
	Policy      string `envconfig:"AUTOPILOT_POLICY" url:"true" desc:"policy file: a path, an https URL or s3://bucket/key"`
	QueueURL    string `envconfig:"AUTOPILOT_SWEEP_QUEUE_URL" url:"true" desc:"SQS queue for continuation and shard events; empty = none"`
	FanOut      bool   `envconfig:"AUTOPILOT_SWEEP_FANOUT" default:"false" desc:"a tick enqueues one shard per namespace instead of sweeping"`
	Concurrency int    `envconfig:"AUTOPILOT_SWEEP_CONCURRENCY" default:"16" desc:"repositories worked on at once"`
	// Margin is how long before the deadline the sweep stops starting
	// repositories, leaving the ones in flight time to finish.
	Margin time.Duration `envconfig:"AUTOPILOT_SWEEP_MARGIN" default:"2s" desc:"stop starting repositories this long before the invocation deadline"`
	// MaxImpactTags bounds the tag names kept per change in the report.
	MaxImpactTags int `envconfig:"AUTOPILOT_SWEEP_MAX_IMPACT_TAGS" default:"20" desc:"tag names kept per retention change in the report (counts stay exact); 0 keeps all"`
}

// GrantSync configures the grantsync function.
type GrantSync struct {
	Function
	Directory string `envconfig:"AUTOPILOT_DIRECTORY" url:"true" desc:"team directory file: a path, an https URL or s3://bucket/key"`
	Policy    string `envconfig:"AUTOPILOT_POLICY" url:"true" desc:"policy file whose default_grants grant sync counts as desired (optional; the onpush function's policy)"`
}

// LoadFunction reads a function's configuration (a pointer to OnPush, Sweep
// or GrantSync) from the environment and validates it, listing every
// problem at once.
func LoadFunction(spec any) error {
	var fn *Function
	switch s := spec.(type) {
	case *OnPush:
		fn = &s.Function
	case *Sweep:
		fn = &s.Function
	case *GrantSync:
		fn = &s.Function
	default:
		return fmt.Errorf("config: %T is not a function configuration", spec)
	}
	problems := readEnv(spec)
	var c checks
	switch s := spec.(type) {
	case *OnPush:
		if s.Policy == "" {
			c.add("AUTOPILOT_POLICY", "is not set", "the policy file the onpush function applies (a path, an https URL or s3://bucket/key)")
		}
		c.notNegative("AUTOPILOT_CACHE_TTL", s.CacheTTL)
	case *Sweep:
		if s.Policy == "" {
			c.add("AUTOPILOT_POLICY", "is not set", "the policy file the sweep function applies (a path, an https URL or s3://bucket/key)")
		}
		if s.FanOut && s.QueueURL == "" {
			c.add("AUTOPILOT_SWEEP_FANOUT", "is true without AUTOPILOT_SWEEP_QUEUE_URL", "a queue to put the shards on, or AUTOPILOT_SWEEP_FANOUT=false")
		}
		c.atLeast("AUTOPILOT_SWEEP_CONCURRENCY", s.Concurrency, 1)
		if !(s.Margin > s.DeadlineMargin) {
			c.addf("AUTOPILOT_SWEEP_MARGIN", "more than AUTOPILOT_DEADLINE_MARGIN: repositories in flight need time to finish",
				"(%s) does not exceed AUTOPILOT_DEADLINE_MARGIN (%s)", s.Margin, s.DeadlineMargin)
		}
		c.atLeast("AUTOPILOT_SWEEP_MAX_IMPACT_TAGS", s.MaxImpactTags, 0)
	case *GrantSync:
		if s.Directory == "" {
			c.add("AUTOPILOT_DIRECTORY", "is not set", "the team directory file the grantsync function applies (a path, an https URL or s3://bucket/key)")
		}
	}
	// With a targets file each target's SWR settings are checked when
	// its client is built: the unprefixed variables may hold none.
	if err := fn.SWR.Validate(); err != nil && fn.Targets == "" {
		if ce, ok := err.(*Error); ok {
			problems = append(problems, ce.Problems...)
		} else {
			problems = append(problems, err.Error())
		}
	}
	if k := fn.ScheduledEventKind; k != "" && k != "sweep" && k != "grantsync" {
		c.addf("AUTOPILOT_SCHEDULED_KIND", "sweep or grantsync", "is %s", quoteValue(k))
	}
	c.positive("AUTOPILOT_DEADLINE_MARGIN", fn.DeadlineMargin)
	c.atLeast("AUTOPILOT_DEDUPE_SIZE", fn.DedupeSize, 1)
	for _, u := range []struct{ name, value string }{{"AUTOPILOT_SINK", fn.Sink}, {"K_SINK", fn.KSink}} {
		if u.value != "" {
			if checkURL(u.value) != nil {
				c.addf(u.name, "an http(s) URL such as https://sink.example/events", "is %q", redact.URL(u.value))
			}
		}
	}
	if !fn.WebhookAuthOff && fn.WebhookAuthHeader == "" && fn.WebhookHMACSecret == "" {
		c.add("AUTOPILOT_WEBHOOK_AUTH_HEADER and AUTOPILOT_WEBHOOK_HMAC_SECRET", "are both unset",
			"webhook authentication: set one of them (or AUTOPILOT_WEBHOOK_AUTH_DISABLED=true behind another guard)")
	}
	problems = append(problems, c.problems...)
	if len(problems) > 0 {
		return &Error{Problems: problems}
	}
	return nil
}

// SinkURL is where reports go as CloudEvents: AUTOPILOT_SINK, else K_SINK.
func (f Function) SinkURL() string {
	if f.Sink != "" {
		return f.Sink
	}
	return f.KSink
}

// DecoderConfig returns the event decoder configuration; defaultKind is
// what a bare scheduled event means for this function.
func (f Function) DecoderConfig(defaultKind events.Kind) events.Config {
	kind := defaultKind
	switch f.ScheduledEventKind {
	case "sweep":
		kind = events.KindSweepRequested
	case "grantsync":
		kind = events.KindGrantSyncRequested
	}
	return events.Config{
		ScheduledKind: kind,
		Auth: events.AuthConfig{
			Disabled:   f.WebhookAuthOff,
			AuthHeader: events.Secret(f.WebhookAuthHeader),
			HMACSecret: events.Secret(f.WebhookHMACSecret),
		},
	}
}

// Every print of a function configuration redacts its secrets, whatever
// the verb, and so does logging it.

// String redacts secrets.
func (f Function) String() string { return Redact(f) }

// Format redacts secrets for every fmt verb.
func (f Function) Format(s fmt.State, verb rune) { formatRedacted(s, verb, Redact(f)) }

// LogValue redacts secrets in slog output.
func (f Function) LogValue() slog.Value { return slog.StringValue(Redact(f)) }

// Format redacts secrets for every fmt verb.
func (c OnPush) Format(s fmt.State, verb rune) { formatRedacted(s, verb, Redact(c)) }

// LogValue redacts secrets in slog output.
func (c OnPush) LogValue() slog.Value { return slog.StringValue(Redact(c)) }

// Format redacts secrets for every fmt verb.
func (c Sweep) Format(s fmt.State, verb rune) { formatRedacted(s, verb, Redact(c)) }

// LogValue redacts secrets in slog output.
func (c Sweep) LogValue() slog.Value { return slog.StringValue(Redact(c)) }

// Format redacts secrets for every fmt verb.
func (c GrantSync) Format(s fmt.State, verb rune) { formatRedacted(s, verb, Redact(c)) }

// LogValue redacts secrets in slog output.
func (c GrantSync) LogValue() slog.Value { return slog.StringValue(Redact(c)) }

// Variables lists the environment variables spec (a pointer to a config
// struct) reads, sorted. The SAM template test checks that the template
// declares each of them.
func Variables(spec any) []string {
	var names []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name := f.Tag.Get("envconfig"); name != "" {
				names = append(names, name)
			}
		}
	}
	walk(reflect.TypeOf(spec).Elem())
	sort.Strings(names)
	return names
}
