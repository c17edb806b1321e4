package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// maxNamedTags bounds the tag names one replica finding lists.
const maxNamedTags = 10

// Replica is what was observed of one replica of a repository: the
// repository of the same name in another region's namespace.
type Replica struct {
	// Region and Namespace locate the replica.
	Region, Namespace string
	// Exists says whether the replica repository exists; when it does
	// not, Tags and Retention are empty.
	Exists bool
	// Tags are the replica's tags.
	Tags []swr.Tag
	// Retention is the replica repository's retention rule; nil for none.
	Retention *swr.Rule
}

// ReplicaConfig tunes VerifyReplica.
type ReplicaConfig struct {
	// Grace is how long after its push a tag may be missing from the
	// replica before it is a finding (sync is asynchronous).
	Grace time.Duration
	// JobLookback is how far back failed sync jobs are reported.
	JobLookback time.Duration
	// MaxSyncTags bounds the tags one remediation synchronises; 0 plans
	// no remediation.
	MaxSyncTags int
}

// ReplicaCheck is everything VerifyReplica needs about one source
// repository and one of its replicas.
type ReplicaCheck struct {
	Namespace, Repository string
	// SourceTags are the source repository's tags.
	SourceTags []swr.Tag
	// SourceRetention is the source repository's retention rule; nil for
	// none.
	SourceRetention *swr.Rule
	// Jobs are the source repository's sync job records (any order,
	// any region): those to the replica are considered.
	Jobs    []swr.SyncJob
	Replica Replica
	Now     time.Time
	Config  ReplicaConfig
}

// ReplicaFix synchronises missing tags now: POST …/sync_images with
// Request (override false: a tag the replica holds is never overwritten).
type ReplicaFix struct {
	Request swr.SyncImagesRequest
	Change  report.Change
}

// VerifyReplica compares a repository with its replica and returns:
//   - sync.replica_missing_tags (warning): tags of the source pushed more
//     than Grace ago that the replica does not hold (all of them when the
//     replica repository does not exist);
//   - sync.job_failed (warning): tags whose latest sync job to the replica
//     failed or timed out within JobLookback;
//   - sync.replica_retention_stricter (warning): the replica's retention
//     rule, simulated on the source's tags, deletes tags the source's rule
//     keeps, so replicas vanish before their source.
//
// With MaxSyncTags > 0 and tags missing, the fix synchronises at most that
// many of them, newest push first, leaving out tags the replica's own
// rule would delete again (they would be synchronised on every run).
func VerifyReplica(c ReplicaCheck) ([]report.Finding, *ReplicaFix) {
	r := c.Replica
	subject := r.Region + "/" + r.Namespace
	finding := func(code, msg, remedy string) report.Finding {
		return report.Finding{Code: code, Severity: report.SeverityWarning, Namespace: c.Namespace, Repository: c.Repository,
			Subject: subject, Message: msg, Remediation: remedy}
	}
	var findings []report.Finding

	held := make(map[string]bool, len(r.Tags))
	for _, t := range r.Tags {
		held[t.Tag] = true
	}
	cutoff := c.Now.Add(-c.Config.Grace)
	var missing []swr.Tag
	for _, t := range c.SourceTags {
		if !held[t.Tag] && !pushTime(t).After(cutoff) {
			missing = append(missing, t)
		}
	}
	slices.SortFunc(missing, func(a, b swr.Tag) int {
		return cmp.Or(pushTime(b).Compare(pushTime(a)), strings.Compare(a.Tag, b.Tag))
	})

	// The replica's rule, simulated on the source's tags: what it may
	// delete (under any reading of SWR's rule semantics) that the source's
	// rule keeps under every reading.
	var replicaDeletes map[string]bool
	var stricter []string
	if r.Exists && r.Retention != nil {
		var replicaOK, sourceOK bool
		replicaDeletes, replicaOK = mayDelete(*r.Retention, c.SourceTags, c.Now)
		sourceDeletes, sourceOK := map[string]bool{}, true
		if c.SourceRetention != nil {
			sourceDeletes, sourceOK = mayDelete(*c.SourceRetention, c.SourceTags, c.Now)
		}
		for t := range replicaDeletes {
			if replicaOK && sourceOK && !sourceDeletes[t] {
				stricter = append(stricter, t)
			}
		}
		slices.Sort(stricter)
	}

	var fix *ReplicaFix
	if len(missing) > 0 {
		names := make([]string, len(missing))
		for i, t := range missing {
			names[i] = t.Tag
		}
		where := fmt.Sprintf("the replica %s/%s in region %s", r.Namespace, c.Repository, r.Region)
		if !r.Exists {
			where += ", which does not exist"
		}
		remedy := "synchronise the missing tags (sync_images) and find out why the sync task did not"
		if c.Config.MaxSyncTags > 0 {
			var sync []string
			for _, t := range names {
				if !replicaDeletes[t] && len(sync) < c.Config.MaxSyncTags {
					sync = append(sync, t)
				}
			}
			if len(sync) > 0 {
				req := swr.SyncImagesRequest{ImageTag: sync, RemoteRegionID: r.Region, RemoteNamespace: r.Namespace, Override: false}
				fix = &ReplicaFix{Request: req, Change: report.Change{
					Kind: KindSyncImages, Op: report.OpCreate, Namespace: c.Namespace, Repository: c.Repository,
					Subject: subject, After: req, Status: report.StatusPlanned,
				}}
				remedy = fmt.Sprintf("synchronise %d of them now (sync_images, override false)", len(sync))
				if left := len(names) - len(sync); left > 0 {
					remedy += fmt.Sprintf("; %d more on later runs or left out because the replica's retention would delete them again", left)
				}
			}
		}
		findings = append(findings, finding(CodeSyncReplicaMissingTags,
			fmt.Sprintf("%d tags of %s/%s pushed more than %s ago are missing from %s: %s",
				len(names), c.Namespace, c.Repository, c.Config.Grace, where, nameList(names)), remedy))
	}

	if failed := failedJobs(c.Jobs, r, c.Now.Add(-c.Config.JobLookback)); len(failed) > 0 {
		findings = append(findings, finding(CodeSyncJobFailed,
			fmt.Sprintf("the latest sync job of %d tags to %s failed within the last %s: %s", len(failed), subject, c.Config.JobLookback, nameList(failed)),
			"check the replica namespace, quota and permissions in region "+r.Region))
	}

	if len(stricter) > 0 {
		findings = append(findings, finding(CodeSyncReplicaRetentionStricter,
			fmt.Sprintf("the replica's retention rule (%s) deletes %d tags that the source keeps, so replicas vanish first (under at least one reading of SWR's rule semantics): %s",
				ruleText(*r.Retention), len(stricter), nameList(stricter)),
			"make the replica's retention rule keep at least what the source's keeps"))
	}
	return findings, fix
}

// pushTime is a tag's last push time; a time that does not parse counts
// as long ago, so that the tag is checked rather than passed over (the
// check only reads and copies).
func pushTime(t swr.Tag) time.Time {
	v, err := t.Time(swr.TimeUpdated)
	if err != nil {
		return time.Time{}
	}
	return v
}

// mayDelete returns the tags rule deletes from tags at now under at least
// one reading of SWR's semantics. When the simulation fails (a tag time
// that does not parse) it returns every tag, nothing being safe from the
// rule, and ok false.
func mayDelete(rule swr.Rule, tags []swr.Tag, now time.Time) (deleted map[string]bool, ok bool) {
	out := map[string]bool{}
	impact, err := Simulate(rule, tags, now)
	if err != nil {
		for _, t := range tags {
			out[t.Tag] = true
		}
		return out, false
	}
	for _, t := range impact.Delete {
		out[t] = true
	}
	for _, u := range impact.Uncertain {
		out[u.Tag] = true
	}
	return out, true
}

// failedJobs returns, sorted, the tags whose newest job to the replica r
// failed or timed out after since. A job whose time does not parse counts
// as recent.
func failedJobs(jobs []swr.SyncJob, r Replica, since time.Time) []string {
	type latest struct {
		at     time.Time
		id     int64
		status string
	}
	newest := map[string]latest{}
	for _, j := range jobs {
		if j.RemoteRegionID != r.Region || j.RemoteNamespace != r.Namespace {
			continue
		}
		at, err := time.Parse(swr.TimeFormat, j.CreatedAt)
		if err != nil {
			at = since.Add(time.Nanosecond)
		}
		cur, ok := newest[j.Tag]
		if !ok || at.After(cur.at) || (at.Equal(cur.at) && j.ID > cur.id) {
			newest[j.Tag] = latest{at: at, id: j.ID, status: j.Status}
		}
	}
	var out []string
	for tag, l := range newest {
		if (l.status == "failed" || l.status == "timeout") && l.at.After(since) {
			out = append(out, tag)
		}
	}
	slices.Sort(out)
	return out
}

// nameList joins names for a message, at most maxNamedTags of them.
func nameList(names []string) string {
	if len(names) <= maxNamedTags {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxNamedTags], ", ") + fmt.Sprintf(" and %d more", len(names)-maxNamedTags)
}

// ruleText describes a retention rule briefly.
func ruleText(r swr.Rule) string {
	switch r.Template {
	case swr.TemplateDateRule:
		return fmt.Sprintf("keep %d days", r.Days())
	case swr.TemplateTagRule:
		return fmt.Sprintf("keep the last %d", r.Num())
	}
	return r.Template
}
