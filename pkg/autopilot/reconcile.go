package autopilot

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Reconcile brings one repository in line with the whole policy: its
// retention rule (Retention), then the audits the policy switches on
// (Audit). It reads the repository itself only when the visibility audit
// needs it. People run it through "swr-autopilot plan" and "apply".
func (e *Engine) Reconcile(ctx context.Context, ns, repo string, dryRun bool) RepoResult {
	res := e.Retention(ctx, ns, repo, dryRun, nil)
	audits := e.policy.Audits
	if audits.Triggers == nil && audits.Sync == nil && audits.Visibility == nil {
		return res
	}
	item := swr.Repository{Namespace: ns, Name: repo}
	if audits.Visibility != nil {
		d, err := e.client.Repositories.Get(ctx, ns, repo)
		if err != nil {
			res.fail("get repository", err)
			return res
		}
		item.IsPublic, item.Category, item.Description = d.IsPublic, d.Category, d.Description
	}
	res.Merge(e.Audit(ctx, item, dryRun))
	return res
}
