package sweep_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const conformantPolicy = `mode: enforce
retention:
  - match: "**"
    keep_last: 3
audits:
  triggers:
    allowed_clusters: ["prod-cce"]
  visibility:
    allow_public: []
`

// conformantSeed is simpleSeed with the rule conformantPolicy wants.
func conformantSeed(namespaces, perNamespace int) swrtest.Seed {
	seed := simpleSeed(namespaces, perNamespace, 2)
	for i := range seed.Namespaces {
		for j := range seed.Namespaces[i].Repositories {
			seed.Namespaces[i].Repositories[j].Retention = &swrtest.SeedRetention{
				Template: "tag_rule", Params: map[string]string{"num": "3"}, TagSelectors: []swrtest.SeedSelector{}}
		}
	}
	return seed
}

func TestConformantSweepCostsOneReadPerRepositoryPerCheck(t *testing.T) {
	seed := conformantSeed(3, 5)
	big := conformantSeed(1, 2100) // three pages of 1000
	big.Namespaces[0].Name = "big"
	seed.Namespaces = append(seed.Namespaces, big.Namespaces...)
	reg := newRegistry(t, nil, swrtest.WithSeed(&seed))
	client := newClient(t, reg)
	job := newJob(t, client, conformantPolicy, sweep.Config{})

	rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)

	const repos = 3*5 + 2100
	assert.Equal(t, map[string]int{
		"GET /v2/manage/namespaces":                              1,
		"GET /v2/manage/repos":                                   3 + 3, // big: 3 pages; the others: 1 each
		"GET /v2/manage/namespaces/{ns}/repos/{repo}/retentions": repos,
		"GET /v2/manage/namespaces/{ns}/repos/{repo}/triggers":   repos,
	}, reg.Counts())
	assert.Zero(t, reg.Writes())
	assert.Equal(t, int64(1+6+2*repos), rep.APICalls, "the report counts every call")
	assert.Equal(t, repos, rep.Counts.Scanned)
	assert.Equal(t, repos, rep.Counts.Conformant)
	assert.Empty(t, rep.Changes)
	assert.Empty(t, rep.Errors)

	for _, r := range reg.Requests() {
		if r.Endpoint == "GET /v2/manage/repos" {
			assert.Contains(t, r.Query, "limit=1000")
			assert.Contains(t, r.Query, "order_column=name")
		}
	}
}
