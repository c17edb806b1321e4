package swr_test

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// A client signs every request with the account's AK/SK. Here it talks to
// the emulator; in production the endpoint is
// https://swr-api.{region}.myhuaweicloud.com.
func ExampleNewClient() {
	srv := swrtest.NewServer(swrtest.WithSeed(&swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{
		Name:         "team",
		Repositories: []swrtest.SeedRepository{{Name: "web/app"}, {Name: "api"}},
	}}}))
	defer srv.Close()

	c, err := swr.NewClient(srv.URL, swr.AKSK{AK: srv.AK, SK: srv.SK, ProjectID: srv.ProjectID},
		swr.WithHTTPClient(srv.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	repos, page, err := c.Repositories.List(context.Background(), &swr.ListReposOptions{Namespace: "team", Limit: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("total:", page.Total)
	for _, r := range repos {
		fmt.Println(r.Namespace + "/" + r.Name)
	}
	// Unordered output:
	// total: 2
	// team/api
	// team/web/app
}

// Every listing that pages comes as a stream too, which reads the pages
// as it goes.
func ExampleRepositoriesService_All() {
	srv := swrtest.NewServer(swrtest.WithSeed(&swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "a", Repositories: []swrtest.SeedRepository{{Name: "one"}, {Name: "two"}}},
		{Name: "b", Repositories: []swrtest.SeedRepository{{Name: "three"}}},
	}}))
	defer srv.Close()
	c := srv.NewClient()

	n := 0
	for _, err := range c.Repositories.All(context.Background(), &swr.ListReposOptions{Limit: 2}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println(n, "repositories in", len(srv.Requests()), "pages")
	// Output: 3 repositories in 2 pages
}

// IsTransient tells the failures that trying again may cure from those it
// cannot.
func ExampleIsTransient() {
	srv := swrtest.NewServer()
	defer srv.Close()
	_, err := srv.NewClient().Retentions.List(context.Background(), "team", "missing")
	fmt.Println(swr.IsNotFound(err), swr.IsTransient(err))

	srv.Set(swrtest.WithFaults(swrtest.Faults{Rate503: 1}))
	_, err = srv.NewClient(swr.WithRetry(1, 0, 0)).Retentions.List(context.Background(), "team", "missing")
	fmt.Println(swr.IsTransient(err))
	// Output:
	// true false
	// true
}
