package grantsync

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/internal/grantwrite"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// defaultNamespaceQuota is SWR's documented default number of namespaces
// per account, named when the account's real quota cannot be read.
const defaultNamespaceQuota = 5

// observe reads the grants of one namespace and of the repositories of
// it in scope, and plans each.
func (r *run) observe(ctx context.Context, w work) {
	ns := w.namespace
	repos := w.repos
	creator := "" // the namespace creator, once its grants are read
	if w.own {
		acc, err := r.j.client.NamespaceAccess.Get(ctx, ns)
		switch {
		case err == nil:
		case swr.IsNotFound(err), swr.IsForbidden(err) && r.dir.CreateMissingNamespaces && !r.dryRun:
			// A namespace of another account may read as absent or as
			// forbidden (swr-api.md §12); trying to create it tells.
			var ok bool
			if acc, ok = r.missingNamespace(ctx, ns); !ok {
				return
			}
			r.add(grantplan.Namespace(ns, r.want.Namespaces[ns], *acc, r.dir), grantwrite.Grants{Client: r.j.client, NS: ns})
			for _, repo := range repos {
				r.repositoryMissing(ns, repo) // a namespace just created holds no repository
			}
			return
		default:
			// Its repositories are skipped too: what keeps the namespace
			// from being read (SWR down, no permission) keeps them as well.
			r.readFailed(ns, "", "get namespace access", err)
			return
		}
		r.add(grantplan.Namespace(ns, r.want.Namespaces[ns], *acc, r.dir), grantwrite.Grants{Client: r.j.client, NS: ns})
		creator = acc.CreatorName
	}
	if w.listed {
		repos = r.withListed(ctx, ns, repos)
	}
	for _, repo := range repos {
		if ctx.Err() != nil {
			r.readFailed(ns, repo, "get repository access", ctx.Err())
			return
		}
		acc, err := r.j.client.RepositoryAccess.Get(ctx, ns, repo)
		switch {
		case err == nil:
			r.add(grantplan.Repository(ns, repo, r.repositoryWant(ns, repo), *acc, creator, r.dir), grantwrite.Grants{Client: r.j.client, NS: ns, Repo: repo})
		case swr.IsNotFound(err):
			r.repositoryMissing(ns, repo)
		default:
			r.readFailed(ns, repo, "get repository access", err)
		}
	}
}

// repositoryWant is the desired grants of ns/repo: the directory's, and
// the policy's default grants for it (the higher level wins).
func (r *run) repositoryWant(ns, repo string) map[string]swr.UserAuth {
	want := r.want.Repositories[directory.RepositoryKey(ns, repo)]
	if r.j.cfg.Policy == nil {
		return want
	}
	defaults := r.j.cfg.Policy.GrantsFor(ns, repo)
	if len(defaults) == 0 {
		return want
	}
	return grantplan.ByUser(append(slices.Collect(maps.Values(want)), defaults...))
}

// withListed returns, sorted, the repositories named plus every
// repository SWR lists in namespace ns, read a page of swr.MaxPageSize at
// a time. The listing's namespace filter may match loosely, so items of
// another namespace are skipped. When the listing fails, the error is
// reported and the repositories named and those listed so far are still
// reconciled.
func (r *run) withListed(ctx context.Context, ns string, named []string) []string {
	set := make(map[string]bool, len(named))
	for _, repo := range named {
		set[repo] = true
	}
	opts := &swr.ListReposOptions{Namespace: ns, Limit: swr.MaxPageSize}
	for repo, err := range r.j.client.Repositories.All(ctx, opts) {
		if err != nil {
			r.readFailed(ns, "", "list repositories", err)
			break
		}
		if repo.Namespace == ns && repo.Name != "" {
			set[repo.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// add records a plan and its findings. Only a plan that changes something
// is kept for the guard and the writes; the others are counted.
func (r *run) add(p grantplan.Plan, g grantwrite.Grants) {
	r.reads++
	r.observed += p.Observed
	r.rep.Counts.Scanned++
	if len(p.Changes) == 0 {
		r.rep.Counts.Conformant++
	} else {
		r.steps = append(r.steps, step{grants: g, plan: p})
	}
	r.rep.Findings = append(r.rep.Findings, p.Findings...)
}

func (r *run) readFailed(ns, repo, op string, err error) {
	if r.readErr == nil {
		r.readErr = err
	}
	r.fail(ns, repo, op, err)
}

// repositoryMissing notes a repository the directory grants on that SWR
// does not have. A repository outside the directory (reached through a
// grants-changed event in a managed namespace) that is gone needs nothing.
func (r *run) repositoryMissing(ns, repo string) {
	if _, named := r.want.Repositories[directory.RepositoryKey(ns, repo)]; !named {
		return
	}
	r.rep.Findings = append(r.rep.Findings, report.Finding{
		Code: CodeRepositoryMissing, Severity: report.SeverityInfo, Namespace: ns, Repository: repo,
		Message: fmt.Sprintf("the directory grants on repository %s, which SWR does not have; its grants are given once it exists (after its first push)",
			directory.RepositoryKey(ns, repo)),
	})
}

// missingNamespace handles a namespace the directory names that SWR lacks:
// it creates it when the directory opts in (or plans to, in a dry run) and
// returns its grants; otherwise, or when SWR refuses, it reports why and
// returns ok false.
func (r *run) missingNamespace(ctx context.Context, ns string) (acc *swr.NamespaceAccess, ok bool) {
	if !r.dir.CreateMissingNamespaces {
		r.rep.Findings = append(r.rep.Findings, report.Finding{
			Code: CodeNamespaceMissing, Severity: report.SeverityWarning, Namespace: ns,
			Message:     fmt.Sprintf("the directory names namespace %q, which SWR does not have; its grants were not given", ns),
			Remediation: "create the namespace, or set create_missing_namespaces: true in the directory",
		})
		return nil, false
	}
	change := report.Change{Kind: KindNamespace, Op: report.OpCreate, Namespace: ns, Subject: ns,
		After: map[string]string{"namespace": ns}, Status: report.StatusPlanned}
	if r.dryRun {
		r.rep.Changes = append(r.rep.Changes, change)
		return &swr.NamespaceAccess{Name: ns}, true
	}

	err := r.j.client.Namespaces.Create(ctx, ns)
	if swr.IsQuotaExceeded(err) {
		change.Status, change.Reason = report.StatusFailed, "namespace quota exceeded"
		r.rep.Changes = append(r.rep.Changes, change)
		r.rep.Findings = append(r.rep.Findings, report.Finding{
			Code: CodeNamespaceQuota, Severity: report.SeverityCritical, Namespace: ns,
			Message: fmt.Sprintf("namespace %q was not created: the account's namespace quota is used up (%s; %s); its grants were not given",
				ns, r.namespaceQuota(ctx), swr.CodeNamespaceQuota),
			Remediation: "raise the SWR organization quota, delete an unused namespace, or drop the namespace from the directory",
		})
		return nil, false
	}

	// Whatever the create answered (success, a conflict, a lost answer,
	// or a code no source documents), reading the namespace decides:
	// readable, it is this account's (created now or meanwhile); refused
	// (403), another account owns the name; absent after a 409, the same
	// (how SWR answers that read is not pinned down, swr-api.md §12).
	acc, rerr := r.j.client.NamespaceAccess.Get(ctx, ns)
	switch {
	case rerr == nil:
		change.Status = report.StatusApplied
		r.rep.Changes = append(r.rep.Changes, change)
		return acc, true
	case err == nil:
		change.Status = report.StatusApplied
		r.rep.Changes = append(r.rep.Changes, change)
		r.readFailed(ns, "", "get namespace access", rerr)
	case swr.IsForbidden(rerr) || swr.IsConflict(err) && swr.IsNotFound(rerr):
		r.rep.Findings = append(r.rep.Findings, report.Finding{
			Code: CodeNamespaceTaken, Severity: report.SeverityCritical, Namespace: ns,
			Message:     fmt.Sprintf("namespace %q cannot be created: another account owns the name (namespace names are unique per region)", ns),
			Remediation: "rename the namespace in the directory",
		})
	case swr.IsNotFound(rerr):
		change.Status, change.Reason = report.StatusFailed, err.Error()
		r.rep.Changes = append(r.rep.Changes, change)
		r.fail(ns, "", "create namespace", err)
	default:
		change.Status, change.Reason = report.StatusFailed, err.Error()
		r.rep.Changes = append(r.rep.Changes, change)
		r.readFailed(ns, "", "get namespace access", rerr)
	}
	return nil, false
}

// namespaceQuota describes the account's namespace quota, read once per
// run; without a project id (or when the read fails) it names SWR's
// default.
func (r *run) namespaceQuota(ctx context.Context) string {
	if r.quota != "" {
		return r.quota
	}
	r.quota = fmt.Sprintf("default quota %d", defaultNamespaceQuota)
	quotas, err := r.j.client.Meta.Quotas(ctx)
	if err != nil {
		r.j.log.DebugContext(ctx, "namespace quota not readable", "error", err)
		return r.quota
	}
	for _, q := range quotas {
		if q.QuotaKey == "namespace" {
			r.quota = fmt.Sprintf("quota %d, %d used", q.QuotaLimit, q.Used)
		}
	}
	return r.quota
}
