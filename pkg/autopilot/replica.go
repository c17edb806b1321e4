package autopilot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// CodeSyncReplicaUnverifiable is the finding of a required replica in a
// region no target of the deployment covers: it cannot be read.
const CodeSyncReplicaUnverifiable = "sync.replica_unverifiable"

// maxSyncJobs is how many of a repository's newest sync job records the
// replica verification reads (one page).
const maxSyncJobs = 100

// verifyReplicas reads every replica the policy requires of ns/repo and
// compares it with the source (plan.VerifyReplica); with the sync remedy
// it synchronises missing tags when the engine writes. Cost per required
// replica: the source's tags, retention and sync jobs (read once for all
// replicas), and the replica repository, its tags and retention.
func (e *Engine) verifyReplicas(ctx context.Context, ns, repo string, reqs []policy.SyncRequirement, dryRun bool) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	cfg := e.policy.Audits.Sync.Verify
	type replica struct{ region, namespace string }
	var replicas []replica
	for _, r := range reqs {
		rp := replica{r.Region, r.RemoteNamespace(ns)}
		if !slices.Contains(replicas, rp) {
			replicas = append(replicas, rp)
		}
	}
	slices.SortFunc(replicas, func(a, b replica) int {
		return strings.Compare(a.region+"/"+a.namespace, b.region+"/"+b.namespace)
	})

	var (
		sourceTags []swr.Tag
		sourceRule *swr.Rule
		jobs       []swr.SyncJob
		observed   bool
	)
	observe := func() error {
		if observed {
			return nil
		}
		var err error
		if sourceTags, err = e.tags(ctx, ns, repo); err != nil {
			return fmt.Errorf("list tags: %w", err)
		}
		if sourceRule, err = retentionRule(ctx, e.client, ns, repo); err != nil {
			return err
		}
		if jobs, _, err = e.client.Sync.Jobs(ctx, ns, repo, &swr.ListOptions{Limit: maxSyncJobs}); err != nil {
			return err
		}
		observed = true
		return nil
	}

	write := e.Writes(dryRun)
	for _, rp := range replicas {
		remote := e.replicaClient(rp.region)
		if remote == nil {
			res.note([]report.Finding{{
				Code: CodeSyncReplicaUnverifiable, Severity: report.SeverityInfo, Namespace: ns, Repository: repo,
				Subject:     rp.region + "/" + rp.namespace,
				Message:     fmt.Sprintf("region %s is not one of the deployment's targets: the replica of %s/%s there cannot be read", rp.region, ns, repo),
				Remediation: "add a target for region " + rp.region + " to the targets file",
			}})
			continue
		}
		if err := observe(); err != nil {
			res.fail("verify replicas: read the source", err)
			return res
		}
		seen, err := readReplica(ctx, remote, rp.region, rp.namespace, repo)
		if err != nil {
			res.fail("verify replica "+rp.region+"/"+rp.namespace, err)
			continue
		}
		rc := plan.ReplicaConfig{Grace: cfg.Grace, JobLookback: cfg.JobLookback}
		if cfg.Remedy == policy.RemedySync {
			rc.MaxSyncTags = cfg.MaxSyncTags
		}
		findings, fix := plan.VerifyReplica(plan.ReplicaCheck{
			Namespace: ns, Repository: repo, SourceTags: sourceTags, SourceRetention: sourceRule,
			Jobs: jobs, Replica: seen, Now: e.now(), Config: rc,
		})
		res.note(findings)
		if fix != nil {
			res.apply(write, fix.Change, func() error {
				failed, err := e.client.Sync.SyncImages(ctx, ns, repo, fix.Request)
				if err != nil {
					return err
				}
				if len(failed) > 0 {
					return fmt.Errorf("sync_images to %s/%s: %d of %d tags failed: %s", rp.region, rp.namespace,
						len(failed), len(fix.Request.ImageTag), strings.Join(failed, ", "))
				}
				return nil
			})
		}
	}
	return res
}

// replicaClient returns the client of the target in region, or nil.
func (e *Engine) replicaClient(region string) *swr.Client {
	if e.replicas == nil {
		return nil
	}
	return e.replicas(region)
}

// readReplica observes the repository repo in namespace ns of a replica
// region: whether it exists, its tags and its retention rule.
func readReplica(ctx context.Context, c *swr.Client, region, ns, repo string) (plan.Replica, error) {
	r := plan.Replica{Region: region, Namespace: ns}
	if _, err := c.Repositories.Get(ctx, ns, repo); err != nil {
		if swr.IsNotFound(err) {
			return r, nil
		}
		return r, err
	}
	r.Exists = true
	for t, err := range c.Repositories.AllTags(ctx, ns, repo, nil) {
		if err != nil {
			return r, err
		}
		r.Tags = append(r.Tags, t)
	}
	rule, err := retentionRule(ctx, c, ns, repo)
	r.Retention = rule
	return r, err
}

// retentionRule returns the first rule of ns/repo's retention policy, or
// nil when it has none.
func retentionRule(ctx context.Context, c *swr.Client, ns, repo string) (*swr.Rule, error) {
	rs, err := c.Retentions.List(ctx, ns, repo)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if len(r.Rules) > 0 {
			rule := r.Rules[0]
			return &rule, nil
		}
	}
	return nil, nil
}
