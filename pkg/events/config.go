package events

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults applied by NewDecoder to zero Config fields.
const (
	DefaultMaxBody         = 1 << 20 // 1 MiB
	DefaultMaxBatch        = 100
	DefaultReplayWindow    = 5 * time.Minute
	DefaultReplayCacheSize = 10000
	DefaultTimestampHeader = "X-Autopilot-Timestamp"
	DefaultSignatureHeader = "X-Autopilot-Signature"
)

// Config configures a Decoder. The zero value is usable: limits take their
// defaults, scheduled events become sweeps, and HTTP authentication is on
// with no credential, so that every HTTP request is refused until one is
// configured (or authentication is explicitly disabled).
type Config struct {
	// Auth authenticates HTTP inputs (Function URL and receiver mode).
	Auth AuthConfig
	// MaxBody is the largest HTTP body (or SQS message body, or directly
	// invoked payload) accepted, in bytes; larger is a 413.
	MaxBody int
	// MaxBatch is the most events one input may carry; more is a 400. SQS
	// records past it are reported as failed records and so redelivered.
	MaxBatch int
	// ScheduledKind is what an EventBridge "Scheduled Event" whose detail
	// names no type becomes: KindSweepRequested (the default) or
	// KindGrantSyncRequested.
	ScheduledKind Kind
	// Now is the clock, for events without a time and for the replay
	// window. Defaults to time.Now.
	Now func() time.Time
}

// AuthConfig configures webhook authentication of HTTP inputs. A request is
// accepted when it carries a valid HMAC signature (if HMACSecret is set) or
// the exact Authorization header value (if AuthHeader is set).
type AuthConfig struct {
	// Disabled turns authentication off. Only for inputs guarded
	// otherwise, e.g. a Function URL with AuthType AWS_IAM.
	Disabled bool
	// AuthHeader is the shared Authorization header value, what Harbor and
	// SWR Enterprise send as a webhook policy's auth_header.
	AuthHeader Secret
	// HMACSecret keys the signature: SignatureHeader carries
	// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) and
	// TimestampHeader the Unix time in seconds.
	HMACSecret Secret
	// TimestampHeader defaults to DefaultTimestampHeader.
	TimestampHeader string
	// SignatureHeader defaults to DefaultSignatureHeader.
	SignatureHeader string
	// ReplayWindow is how far a signed timestamp may be from the clock,
	// either way. Defaults to DefaultReplayWindow.
	ReplayWindow time.Duration
	// ReplayCacheSize bounds how many accepted signatures are remembered to
	// refuse replays. Defaults to DefaultReplayCacheSize.
	ReplayCacheSize int
}

// Secret is a credential. It prints, logs and marshals as "[redacted]".
type Secret string

const redacted = "[redacted]"

// Format implements fmt.Formatter: every verb prints "[redacted]".
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText implements encoding.TextMarshaler, so JSON and YAML output
// never carries the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() (Config, error) {
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	switch c.ScheduledKind {
	case "":
		c.ScheduledKind = KindSweepRequested
	case KindSweepRequested, KindGrantSyncRequested:
	default:
		return c, fmt.Errorf("events config: ScheduledKind %q: want %q or %q", c.ScheduledKind, KindSweepRequested, KindGrantSyncRequested)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	a := &c.Auth
	if a.TimestampHeader == "" {
		a.TimestampHeader = DefaultTimestampHeader
	}
	if a.SignatureHeader == "" {
		a.SignatureHeader = DefaultSignatureHeader
	}
	if a.ReplayWindow <= 0 {
		a.ReplayWindow = DefaultReplayWindow
	}
	if a.ReplayCacheSize <= 0 {
		a.ReplayCacheSize = DefaultReplayCacheSize
	}
	return c, nil
}
