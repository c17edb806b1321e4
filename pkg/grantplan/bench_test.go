package grantplan

import (
	"fmt"
	"testing"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// benchWorld builds a directory of teams×members users over namespaces,
// and for namespace ns0 a current state that overlaps the desired one by
// half, with mixed levels.
func benchWorld(teams, members, namespaces int) (*directory.Directory, []swr.UserAuth) {
	levels := []directory.Level{directory.Read, directory.Write, directory.Manage}
	d := &directory.Directory{ManagedNamespaces: []string{"ns0"}, Guard: directory.Guard{MaxRemovals: 10, MaxRemovalFraction: 0.3}}
	for t := range teams {
		team := directory.Team{Name: fmt.Sprintf("team%d", t), Namespaces: map[string]directory.Level{}, Repositories: map[string]directory.Level{}}
		for m := range members {
			id := fmt.Sprintf("u%d", t*members+m)
			team.Members = append(team.Members, directory.Member{ID: id, Name: "user-" + id})
		}
		for n := range namespaces {
			team.Namespaces[fmt.Sprintf("ns%d", n)] = levels[(t+n)%3]
		}
		team.Repositories[fmt.Sprintf("ns0/app%d", t)] = directory.Write
		d.Teams = append(d.Teams, team)
	}
	var others []swr.UserAuth
	for i := teams * members / 2; i < teams*members*3/2; i++ {
		id := fmt.Sprintf("u%d", i)
		others = append(others, swr.UserAuth{UserID: id, UserName: "user-" + id, Auth: int(levels[i%3])})
	}
	return d, others
}

func BenchmarkDesired(b *testing.B) {
	d, _ := benchWorld(200, 25, 20)
	b.ReportAllocs()
	for b.Loop() {
		Desired(d)
	}
	b.ReportMetric(float64(200*25*20), "grants/op")
}

func BenchmarkNamespace(b *testing.B) {
	d, others := benchWorld(200, 25, 1)
	desired := Desired(d).Namespaces["ns0"]
	current := swr.NamespaceAccess{Name: "ns0", CreatorName: "founder", SelfAuth: swr.UserAuth{UserID: "u-self", UserName: "autopilot", Auth: 7}, OthersAuths: others}
	b.ReportAllocs()
	var p Plan
	for b.Loop() {
		p = Namespace("ns0", desired, current, d)
	}
	b.ReportMetric(float64(len(others)), "observed/op")
	b.ReportMetric(float64(len(p.Create)+len(p.Update)+len(p.Delete)), "writes/op")
}
