package grantsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// JobName is what Name returns and what reports carry in Report.Job.
const JobName = "grantsync"

// Config configures a Job.
type Config struct {
	// Directory is where the team directory file is read from on every
	// run: a local path (or file:// URL), an https:// URL or an
	// s3://bucket/key object (see source.Fetch). Required.
	Directory string
	// DirectoryOptions tune the fetch: HTTP client, size limit, timeout,
	// S3 settings.
	DirectoryOptions source.Options
	// Policy, when set, is the policy whose default_grants give every new
	// repository its grants (the onpush function's). Grant sync counts
	// them as desired on every repository it plans, so that in a managed
	// namespace it neither removes them nor lowers them: the directory and
	// the default grants form one desired state.
	Policy *policy.Policy
	// DryRun plans and reports without writing anything to SWR. An event
	// can also ask for a dry run (GrantSyncRequested.DryRun).
	DryRun bool
	// Logger receives one line per run; defaults to slog.Default().
	Logger *slog.Logger
}

// Job reconciles SWR grants with the team directory. It is safe for
// concurrent use; its runs are serialised, so that two events arriving
// together on a warm instance never write the same grant twice.
type Job struct {
	client *swr.Client
	cfg    Config
	log    *slog.Logger
	sem    chan struct{} // holds one token while a run is in progress
}

// New returns the grant-sync job, talking to SWR through client.
func New(client *swr.Client, cfg Config) *Job {
	j := &Job{
		client: client,
		cfg:    cfg,
		log:    cfg.Logger,
		sem:    make(chan struct{}, 1),
	}
	if j.log == nil {
		j.log = slog.Default()
	}
	return j
}

// Name returns "grantsync".
func (j *Job) Name() string { return JobName }

// Target narrows a run to one namespace (Repository empty) or to one
// repository of it.
type Target struct {
	Namespace  string
	Repository string
}

// Mine reports whether the job acts on ev: a GrantSyncRequested (a tick,
// a directory change), or a GrantsChanged that names its namespace.
func (j *Job) Mine(ev events.Event) bool {
	switch p := ev.Payload.(type) {
	case events.GrantSyncRequested:
		return true
	case events.GrantsChanged:
		if p.Namespace == "" {
			j.log.Warn("grants-changed event names no namespace; ignored", "event_id", ev.ID)
			return false
		}
		return true
	}
	return false
}

// lock waits for the job's previous run to end, or for ctx.
func (j *Job) lock(ctx context.Context) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case j.sem <- struct{}{}:
		return func() { <-j.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CheckDirectory loads and validates the team directory as a run would,
// and reports why it cannot be used: a function calls it at start-up, so
// that an unreachable or invalid directory stops it there rather than at
// its first event.
func (j *Job) CheckDirectory(ctx context.Context) error {
	if j.cfg.Directory == "" {
		return errors.New("grant sync: no team directory source configured")
	}
	if _, _, err := directory.Load(ctx, j.cfg.Directory, j.cfg.DirectoryOptions); err != nil {
		return fmt.Errorf("grant sync: team directory: %w", err)
	}
	return nil
}

// ForTarget returns c with its policy as it applies in the target called
// name.
func (c Config) ForTarget(name string) Config {
	if c.Policy != nil {
		c.Policy = c.Policy.ForTarget(name)
	}
	return c
}
