package plan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func visibilityAudit(remedy policy.Remedy) policy.VisibilityAudit {
	return policy.VisibilityAudit{AllowPublic: []policy.Glob{policy.MustParseGlob("public/**")}, Remedy: remedy}
}

func TestAuditVisibility(t *testing.T) {
	repo := swr.Repository{Namespace: "prod", Name: "api", IsPublic: true, Category: "linux", Description: "the API server", NumImages: 4}
	f, fix := AuditVisibility(repo, visibilityAudit(policy.RemedyPrivate))
	require.NotNil(t, f)
	assert.Equal(t, CodeVisibilityPublicNotAllowed, f.Code)
	assert.Equal(t, report.SeverityCritical, f.Severity)
	assert.Equal(t, "prod", f.Namespace)
	assert.Equal(t, "api", f.Repository)
	require.NotNil(t, fix)
	assert.Equal(t, swr.UpdateRepositoryRequest{IsPublic: false, Category: "linux", Description: "the API server"}, fix.Request)
	body, err := json.Marshal(fix.Request)
	require.NoError(t, err)
	assert.JSONEq(t, `{"is_public":false,"category":"linux","description":"the API server"}`, string(body))
	assert.Equal(t, report.Change{Kind: KindVisibility, Op: report.OpUpdate, Namespace: "prod", Repository: "api",
		Before: swr.UpdateRepositoryRequest{IsPublic: true, Category: "linux", Description: "the API server"},
		After:  fix.Request, Status: report.StatusPlanned}, fix.Change)
}

func TestAuditVisibilityConformant(t *testing.T) {
	for _, repo := range []swr.Repository{
		{Namespace: "prod", Name: "api", IsPublic: false},
		{Namespace: "public", Name: "site", IsPublic: true},
		{Namespace: "public", Name: "docs/site", IsPublic: true},
	} {
		f, fix := AuditVisibility(repo, visibilityAudit(policy.RemedyPrivate))
		assert.Nil(t, f, repo.Namespace+"/"+repo.Name)
		assert.Nil(t, fix)
	}
}

func TestAuditVisibilityRemedyNone(t *testing.T) {
	f, fix := AuditVisibility(swr.Repository{Namespace: "prod", Name: "api", IsPublic: true}, visibilityAudit(policy.RemedyNone))
	require.NotNil(t, f)
	assert.Nil(t, fix)
	assert.Equal(t, "make the repository private, or add it to audits.visibility.allow_public", f.Remediation)
}
