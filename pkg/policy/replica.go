package policy

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults of audits.sync.verify.
const (
	DefaultReplicaGraceHours       = 24
	DefaultReplicaJobLookbackHours = 72
	DefaultReplicaMaxSyncTags      = 100
)

// ReplicaVerify is audits.sync.verify: each required replica, in a
// region the deployment governs, is read and compared with its source.
type ReplicaVerify struct {
	// Grace is how long after its push a tag may be missing from a
	// replica before it is reported.
	Grace time.Duration
	// JobLookback is how far back failed sync jobs are reported.
	JobLookback time.Duration
	// Remedy is RemedyNone or RemedySync (synchronise the missing tags
	// with sync_images, at most MaxSyncTags per repository and run).
	Remedy      Remedy
	MaxSyncTags int
}

func (d *decoder) replicaVerify(n *yaml.Node) *ReplicaVerify {
	f, ok := d.mapping(n, "sync verify", "grace_hours", "job_lookback_hours", "remediate", "max_sync_tags")
	if !ok {
		return nil
	}
	v := &ReplicaVerify{
		Grace:       DefaultReplicaGraceHours * time.Hour,
		JobLookback: DefaultReplicaJobLookbackHours * time.Hour,
		MaxSyncTags: DefaultReplicaMaxSyncTags,
	}
	if n := f.Values["grace_hours"]; n != nil {
		if h, ok := d.intRange(n, "grace_hours", 0, 24*90); ok {
			v.Grace = time.Duration(h) * time.Hour
		}
	}
	if n := f.Values["job_lookback_hours"]; n != nil {
		if h, ok := d.intRange(n, "job_lookback_hours", 1, 24*90); ok {
			v.JobLookback = time.Duration(h) * time.Hour
		}
	}
	if n := f.Values["max_sync_tags"]; n != nil {
		v.MaxSyncTags, _ = d.intRange(n, "max_sync_tags", 1, 1000)
	}
	v.Remedy = d.remedy(f, RemedySync, RemedyNone)
	return v
}
