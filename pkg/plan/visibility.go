package plan

import (
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// VisibilityFix makes one repository private: PATCH
// …/namespaces/{ns}/repos/{repo} with Request, which resends the
// repository's category and description unchanged (SWR requires is_public
// and may reset what is left out).
type VisibilityFix struct {
	Request swr.UpdateRepositoryRequest
	Change  report.Change
}

// AuditVisibility checks that repo, an item of the repository list, is
// public only when cfg.AllowPublic matches it. A public repository outside
// the allow-list gives a visibility.public_not_allowed finding (critical)
// and, with the private remedy, a fix. Both are nil when all is well.
func AuditVisibility(repo swr.Repository, cfg policy.VisibilityAudit) (*report.Finding, *VisibilityFix) {
	ns, name := repo.Namespace, repo.Name
	if !repo.IsPublic || cfg.PublicAllowed(ns, name) {
		return nil, nil
	}
	f := &report.Finding{
		Code: CodeVisibilityPublicNotAllowed, Severity: report.SeverityCritical, Namespace: ns, Repository: name,
		Message:     fmt.Sprintf("repository %s/%s is public but not in audits.visibility.allow_public", ns, name),
		Remediation: "make the repository private, or add it to audits.visibility.allow_public",
	}
	if cfg.Remedy != policy.RemedyPrivate {
		return f, nil
	}
	f.Remediation = "make the repository private (is_public false; category and description kept)"
	before := swr.UpdateRepositoryRequest{IsPublic: true, Category: repo.Category, Description: repo.Description}
	req := swr.UpdateRepositoryRequest{IsPublic: false, Category: repo.Category, Description: repo.Description}
	return f, &VisibilityFix{Request: req, Change: report.Change{
		Kind: KindVisibility, Op: report.OpUpdate, Namespace: ns, Repository: name,
		Before: before, After: req, Status: report.StatusPlanned,
	}}
}
