package swrtest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// GenOptions shapes a generated registry. The share fields give the
// fraction of repositories (or namespaces, for NamespaceGrantShare) that
// get the feature: zero selects the default, a negative value none.
type GenOptions struct {
	Namespaces        int
	ReposPerNamespace int
	TagsPerRepo       int
	// Seed seeds the random generator: equal options give equal seeds.
	Seed int64
	// Now anchors push times, spread over [Now−MaxAge, Now]. Zero means
	// time.Now().
	Now time.Time
	// MaxAge is the age of the oldest possible push (default 180 days).
	MaxAge time.Duration
	// NamespacePrefix starts every namespace name (default "ns").
	NamespacePrefix string

	RetentionShare      float64 // default 0.2
	RepoGrantShare      float64 // default 0.1
	NamespaceGrantShare float64 // default 0.5
	TriggerShare        float64 // default 0.05
	SyncShare           float64 // default 0.05
	PublicShare         float64 // default 0.02
}

func share(v, def float64) float64 {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

// Generate builds a seed of o.Namespaces × o.ReposPerNamespace
// repositories with o.TagsPerRepo tags each. Every seventh repository has a
// "/" in its name. Tags are named 1.0.0, 1.0.1, … from oldest to newest,
// the newest being "latest". Some repositories get retention rules (with
// label and regexp exceptions), grants, triggers with history, sync rules
// (to cn-east-3) or public visibility.
func Generate(o GenOptions) Seed {
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x67656e))
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxAge := cmp.Or(o.MaxAge, 180*24*time.Hour)
	prefix := cmp.Or(o.NamespacePrefix, "ns")
	retention := share(o.RetentionShare, 0.2)
	repoGrant := share(o.RepoGrantShare, 0.1)
	nsGrant := share(o.NamespaceGrantShare, 0.5)
	trigger := share(o.TriggerShare, 0.05)
	sync := share(o.SyncShare, 0.05)
	public := share(o.PublicShare, 0.02)

	seed := Seed{Namespaces: make([]SeedNamespace, 0, o.Namespaces)}
	for i := range o.Namespaces {
		ns := SeedNamespace{Name: fmt.Sprintf("%s-%04d", prefix, i), Repositories: make([]SeedRepository, 0, o.ReposPerNamespace)}
		if rng.Float64() < nsGrant {
			ns.Grants = []SeedGrant{genGrant(rng, i)}
		}
		for j := range o.ReposPerNamespace {
			ns.Repositories = append(ns.Repositories, genRepo(rng, ns.Name, j, o.TagsPerRepo, now, maxAge,
				genShares{retention, repoGrant, trigger, sync, public}))
		}
		seed.Namespaces = append(seed.Namespaces, ns)
	}
	return seed
}

type genShares struct{ retention, grant, trigger, sync, public float64 }

func genGrant(rng *rand.Rand, n int) SeedGrant {
	auths := []int{7, 3, 1}
	return SeedGrant{
		UserID:   fmt.Sprintf("%032x", uint64(n)*2654435761+1),
		UserName: fmt.Sprintf("dev-%03d", n%1000),
		Auth:     auths[rng.IntN(len(auths))],
	}
}

func genRepo(rng *rand.Rand, ns string, j, tags int, now time.Time, maxAge time.Duration, sh genShares) SeedRepository {
	name := fmt.Sprintf("app-%05d", j)
	if j%7 == 0 {
		name = fmt.Sprintf("team/svc-%05d", j)
	}
	r := SeedRepository{Name: name, IsPublic: rng.Float64() < sh.public, Category: "other"}
	ages := make([]time.Duration, tags)
	for k := range ages {
		ages[k] = time.Duration(rng.Int64N(int64(maxAge))).Truncate(time.Second)
	}
	slices.SortFunc(ages, func(a, b time.Duration) int { return cmp.Compare(b, a) }) // oldest first
	r.Tags = make([]SeedTag, tags)
	for k, age := range ages {
		tag := fmt.Sprintf("1.0.%d", k)
		if k == tags-1 && tags > 1 {
			tag = "latest"
		}
		r.Tags[k] = SeedTag{Name: tag, Pushed: now.Add(-age).UTC()}
	}
	if len(r.Tags) > 0 {
		r.Created = r.Tags[0].Pushed
	}
	if rng.Float64() < sh.retention {
		r.Retention = genRetention(rng)
	}
	if rng.Float64() < sh.grant {
		r.Grants = []SeedGrant{genGrant(rng, j)}
	}
	if rng.Float64() < sh.trigger && len(r.Tags) > 0 {
		r.Triggers = []SeedTrigger{{
			Name: "deploy", AppType: "deployments", Application: fmt.Sprintf("app-%05d", j),
			ClusterName: "cce-prod", ClusterID: "cce-prod-id", ClusterNs: "default",
			Condition: ".*", TriggerType: "all", Enable: "true",
			History: []SeedTriggerHistory{{Tag: r.Tags[len(r.Tags)-1].Name, Result: "success", At: r.Tags[len(r.Tags)-1].Pushed}},
		}}
	}
	if rng.Float64() < sh.sync {
		r.SyncRepos = []SeedSyncRepo{{RemoteRegionID: "cn-east-3", RemoteNamespace: ns + "-dr", SyncAuto: true}}
	}
	return r
}

func genRetention(rng *rand.Rand) *SeedRetention {
	sels := []SeedSelector{}
	if rng.IntN(2) == 0 {
		sels = append(sels, SeedSelector{Kind: "label", Pattern: "latest"})
	}
	if rng.IntN(3) == 0 {
		sels = append(sels, SeedSelector{Kind: "regexp", Pattern: "^release-"})
	}
	if rng.IntN(2) == 0 {
		days := []string{"7", "30", "90"}
		return &SeedRetention{Template: "date_rule", Params: map[string]string{"days": days[rng.IntN(len(days))]}, TagSelectors: sels}
	}
	nums := []string{"5", "10", "20"}
	return &SeedRetention{Template: "tag_rule", Params: map[string]string{"num": nums[rng.IntN(len(nums))]}, TagSelectors: sels}
}
