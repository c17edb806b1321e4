package swrtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// A seeded emulator and a client of its account: NewClient sets the
// endpoint, the credentials and the HTTP client.
func ExampleServer_NewClient() {
	srv := swrtest.NewServer(swrtest.WithSeed(&swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{
		Name: "team",
		Repositories: []swrtest.SeedRepository{{Name: "web/app", Tags: []swrtest.SeedTag{
			{Name: "v1", Age: "30d"}, {Name: "v2", Age: "20d"}, {Name: "latest", Age: "1d"},
		}}},
	}}}))
	defer srv.Close()
	client := srv.NewClient(swr.WithRetry(1, 0, 0))

	var tags []string
	for tag, err := range client.Repositories.AllTags(context.Background(), "team", "web/app", nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		tags = append(tags, tag.Tag)
	}
	slices.Sort(tags)
	fmt.Println(tags)
	// Output: [latest v1 v2]
}

// The request log holds each request's endpoint, status and body.
func ExampleServer_Requests() {
	srv := swrtest.NewServer()
	defer srv.Close()
	if err := srv.NewClient().Namespaces.Create(context.Background(), "team"); err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Endpoint, r.Status, strings.TrimSpace(r.Body))
	}
	fmt.Println("writes:", srv.Writes())
	// Output:
	// POST /v2/manage/namespaces 201 {"namespace":"team"}
	// writes: 1
}

// A hook gives answers the emulator cannot: here, the namespace name is
// taken by another account.
func ExampleWithHook() {
	srv := swrtest.NewServer()
	defer srv.Close()
	srv.Set(swrtest.WithHook(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.URL.Path != "/v2/manage/namespaces" {
				next.ServeHTTP(w, r) // the emulator answers
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"errorCode":"SVCSTG.SWR.4001009","errorMessage":"namespace already exists"}`)
		})
	}))
	err := srv.NewClient(swr.WithRetry(1, 0, 0)).Namespaces.Create(context.Background(), "team")
	var apiErr *swr.Error
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, apiErr.Code)
	r := srv.Requests()[0]
	fmt.Println(r.Endpoint, r.Status, r.Hooked)
	_, exists := srv.State().Namespace("team")
	fmt.Println("created:", exists)
	// Output:
	// true 409 SVCSTG.SWR.4001009
	// POST /v2/manage/namespaces 409 true
	// created: false
}
