package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
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
	CacheTTL time.Duration `envconfig:"AUTOPILOT_CACHE_TTL" default:"5m" desc:"how long a repository seen conformant is not read again"`
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
	if err := envconfig.Process("", spec); err != nil {
		return &Error{Problems: []string{err.Error()}}
	}
	var problems []string
	var fn *Function
	switch s := spec.(type) {
	case *OnPush:
		fn = &s.Function
		if s.Policy == "" {
			problems = append(problems, "AUTOPILOT_POLICY is not set: the onpush function needs a policy file")
		}
	case *Sweep:
		fn = &s.Function
		if s.Policy == "" {
			problems = append(problems, "AUTOPILOT_POLICY is not set: the sweep function needs a policy file")
		}
		if s.FanOut && s.QueueURL == "" {
			problems = append(problems, "AUTOPILOT_SWEEP_FANOUT needs AUTOPILOT_SWEEP_QUEUE_URL")
		}
		if s.Concurrency < 1 {
			problems = append(problems, "AUTOPILOT_SWEEP_CONCURRENCY must be at least 1")
		}
		if s.Margin <= s.DeadlineMargin {
			problems = append(problems, fmt.Sprintf("AUTOPILOT_SWEEP_MARGIN (%s) must exceed AUTOPILOT_DEADLINE_MARGIN (%s): repositories in flight need time to finish", s.Margin, s.DeadlineMargin))
		}
		if s.MaxImpactTags < 0 {
			problems = append(problems, "AUTOPILOT_SWEEP_MAX_IMPACT_TAGS must not be negative")
		}
	case *GrantSync:
		fn = &s.Function
		if s.Directory == "" {
			problems = append(problems, "AUTOPILOT_DIRECTORY is not set: the grantsync function needs a team directory")
		}
	default:
		return fmt.Errorf("config: %T is not a function configuration", spec)
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
	if fn.ScheduledEventKind != "" && fn.ScheduledEventKind != "sweep" && fn.ScheduledEventKind != "grantsync" {
		problems = append(problems, fmt.Sprintf("AUTOPILOT_SCHEDULED_KIND is %q: want sweep or grantsync", fn.ScheduledEventKind))
	}
	if !fn.WebhookAuthOff && fn.WebhookAuthHeader == "" && fn.WebhookHMACSecret == "" {
		problems = append(problems, "no webhook authentication: set AUTOPILOT_WEBHOOK_AUTH_HEADER or AUTOPILOT_WEBHOOK_HMAC_SECRET (or AUTOPILOT_WEBHOOK_AUTH_DISABLED=true behind another guard)")
	}
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
