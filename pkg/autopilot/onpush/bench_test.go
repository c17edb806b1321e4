package onpush_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// BenchmarkPushBurst sends 1,000 ImagePushed events over 20 repositories
// (30 tags each) to one warm Job, from 8 goroutines, one event per Handle
// call as SQS delivers them, and reports the SWR requests the burst cost
// as counted by the emulator: reads, writes and calls/event.
//
// "conformant": every repository already has its rule, so the burst costs
// one read per repository. "nonconformant": no repository has a rule, so
// each first costs a read of its rules and tags, a create, a read of its
// tags to check what SWR deleted, and, since a write forgets the cache
// entry, one more read of its rules.
func BenchmarkPushBurst(b *testing.B) {
	for _, conformant := range []bool{true, false} {
		name := "conformant"
		if !conformant {
			name = "nonconformant"
		}
		b.Run(name, func(b *testing.B) {
			const repos, pushes, workers = 20, 1000, 8
			tagNames := make([]string, 30)
			ages := make([]int, 30)
			for i := range tagNames {
				tagNames[i], ages[i] = fmt.Sprintf("1.0.%d", i), 30-i
			}
			var seeded []swrtest.SeedRepository
			for r := range repos {
				repo := swrtest.SeedRepository{Name: fmt.Sprintf("svc-%02d", r), Tags: seedTags(tagNames, ages)}
				if conformant {
					repo.Retention = desiredRule()
				}
				seeded = append(seeded, repo)
			}
			e := newEnv(b, swrtest.Seed{})
			burst := make([]events.Event, pushes)
			for i := range burst {
				burst[i] = pushed(fmt.Sprintf("push-%d", i), "team", fmt.Sprintf("svc-%02d", i%repos))
			}

			var reads, writes, total int
			for b.Loop() {
				b.StopTimer()
				e.srv.Reset()
				if err := e.srv.Seed(seed("team", seeded...)); err != nil {
					b.Fatal(err)
				}
				job := e.job(b, benchPolicy, onpush.Config{})
				b.StartTimer()

				work := make(chan events.Event)
				var wg sync.WaitGroup
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ev := range work {
							rep, err := job.Handle(b.Context(), []events.Event{ev})
							if err != nil || len(rep.Errors) > 0 {
								b.Errorf("event %s: %v %v", ev.ID, err, rep.Errors)
							}
						}
					}()
				}
				for _, ev := range burst {
					work <- ev
				}
				close(work)
				wg.Wait()

				b.StopTimer()
				reads, writes, total = 0, e.srv.Writes(), len(e.srv.Requests())
				for _, r := range e.srv.Requests() {
					if r.Method == http.MethodGet {
						reads++
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(reads), "reads")
			b.ReportMetric(float64(writes), "writes")
			b.ReportMetric(float64(total)/pushes, "calls/event")
		})
	}
}

// benchPolicy keeps 3 tags in every repository; the guard lets the
// nonconformant case delete 27 of 30 tags.
const benchPolicy = `mode: enforce
guard: {max_delete_fraction: 1}
retention:
  - match: "**"
    keep_last: 3
    protect: [latest]
`
