package swr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedServer serves n items of GET /v2/manage/repos and of a repository's
// tags by offset and limit. How it reports the total is set by the flags.
type pagedServer struct {
	n            int
	contentRange bool // send Content-Range: offset-count/total
	totalRange   bool // set total_range in every repository item
	failAtOffset int  // answer 500 for this offset (0 = never)
}

func (p pagedServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit > 0 && offset%limit != 0 {
		reply(w, 400, `{"errorCode":"SVCSTG.SWR.4001025","errorMessage":"offset must be 0 or a multiple of limit"}`)
		return
	}
	if p.failAtOffset > 0 && offset == p.failAtOffset {
		reply(w, 400, `{"errorCode":"SVCSTG.SWR.4000056","errorMessage":"invalid page size"}`)
		return
	}
	end := min(offset+limit, p.n)
	var items []map[string]any
	for i := offset; i < end; i++ {
		item := map[string]any{"name": fmt.Sprintf("r%03d", i), "Tag": fmt.Sprintf("t%03d", i)}
		if p.totalRange {
			item["total_range"] = p.n
		}
		items = append(items, item)
	}
	if p.contentRange {
		w.Header().Set("Content-Range", fmt.Sprintf("%d-%d/%d", offset, len(items), p.n))
	}
	body, _ := json.Marshal(items)
	if items == nil {
		body = []byte("[]")
	}
	reply(w, 200, string(body))
}

func TestAllRepositoriesStreamsPageByPage(t *testing.T) {
	cases := []struct {
		name        string
		srv         pagedServer
		wantOffsets []string
	}{
		{"Content-Range", pagedServer{n: 250, contentRange: true}, []string{"0", "100", "200"}},
		{"total_range only", pagedServer{n: 250, totalRange: true}, []string{"0", "100", "200"}},
		{"no total, short last page", pagedServer{n: 250}, []string{"0", "100", "200"}},
		{"no total, full last page", pagedServer{n: 200}, []string{"0", "100", "200"}},
		{"total is a multiple of the page", pagedServer{n: 200, contentRange: true}, []string{"0", "100"}},
		{"empty registry", pagedServer{n: 0, contentRange: true}, []string{"0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, tc.srv.handle)
			c, _ := testClient(t, srv.URL)
			var names []string
			for repo, err := range c.Repositories.All(t.Context(), &ListReposOptions{Namespace: "team"}) {
				require.NoError(t, err)
				// The page holding item i is the last one fetched: nothing is read ahead.
				assert.Len(t, srv.requests(), len(names)/100+1, "item %d", len(names))
				names = append(names, repo.Name)
			}
			require.Len(t, names, tc.srv.n)
			for i, n := range names {
				assert.Equal(t, fmt.Sprintf("r%03d", i), n)
			}
			var offsets []string
			for _, r := range srv.requests() {
				q, _ := url.ParseQuery(r.RawQuery)
				assert.Equal(t, "100", q.Get("limit"))
				assert.Equal(t, "team", q.Get("namespace"))
				offsets = append(offsets, q.Get("offset"))
			}
			assert.Equal(t, tc.wantOffsets, offsets)
		})
	}
}

func TestAllStartsAtTheGivenOffsetAndPageSize(t *testing.T) {
	srv := newRecorder(t, pagedServer{n: 10, contentRange: true}.handle)
	c, _ := testClient(t, srv.URL)
	var names []string
	for repo, err := range c.Repositories.All(t.Context(), &ListReposOptions{Offset: 4, Limit: 3}) {
		require.NoError(t, err)
		names = append(names, repo.Name)
	}
	assert.Equal(t, []string{"r004", "r005", "r006", "r007", "r008", "r009"}, names)
	var offsets []string
	for _, r := range srv.requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		offsets = append(offsets, q.Get("offset"))
	}
	assert.Equal(t, []string{"3", "6", "9"}, offsets, "the aligned page holding item 4, then on; r003 is passed over")
}

// TestListSendsOnlyAlignedOffsets: one edition of the docs says offset is
// 0 or a multiple of limit (swr-api.md §1.7); the client never sends
// another.
func TestListSendsOnlyAlignedOffsets(t *testing.T) {
	srv := newRecorder(t, pagedServer{n: 10, contentRange: true}.handle)
	c, _ := testClient(t, srv.URL)
	_, _, err := c.Repositories.List(t.Context(), &ListReposOptions{Offset: 4, Limit: 3})
	assert.ErrorContains(t, err, "offset 4 is not a multiple of the limit 3")
	_, _, err = c.Repositories.ListTags(t.Context(), "team", "web", &ListTagsOptions{Offset: 50})
	assert.ErrorContains(t, err, "offset 50 is not a multiple of the limit 100")
	_, err = c.Retentions.Histories(t.Context(), "team", "web", &ListOptions{Offset: 5, Limit: 10})
	assert.ErrorContains(t, err, "offset 5 is not a multiple of the limit 10")
	_, _, err = c.Sync.Jobs(t.Context(), "team", "web", &ListOptions{Offset: 1, Limit: 10})
	assert.ErrorContains(t, err, "offset 1 is not a multiple of the limit 10")
	assert.Empty(t, srv.requests())

	for from := range 12 {
		var names []string
		for repo, err := range c.Repositories.All(t.Context(), &ListReposOptions{Offset: from, Limit: 4}) {
			require.NoError(t, err, "from %d", from)
			names = append(names, repo.Name)
		}
		assert.Len(t, names, max(0, 10-from), "from %d", from)
	}
}

func TestAllStopsWhenTheCallerBreaks(t *testing.T) {
	srv := newRecorder(t, pagedServer{n: 500, contentRange: true}.handle)
	c, _ := testClient(t, srv.URL)
	seen := 0
	for _, err := range c.Repositories.All(t.Context(), nil) {
		require.NoError(t, err)
		if seen++; seen == 150 {
			break
		}
	}
	assert.Len(t, srv.requests(), 2)
}

func TestAllYieldsTheErrorAndStops(t *testing.T) {
	srv := newRecorder(t, pagedServer{n: 500, contentRange: true, failAtOffset: 100}.handle)
	c, _ := testClient(t, srv.URL)
	var items int
	var errs []error
	for _, err := range c.Repositories.All(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items++
	}
	assert.Equal(t, 100, items)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "SVCSTG.SWR.4000056")
	assert.Len(t, srv.requests(), 2)
}

func TestAllTagsStreamsEveryPage(t *testing.T) {
	srv := newRecorder(t, pagedServer{n: 230, contentRange: true}.handle)
	c, _ := testClient(t, srv.URL)
	var tags []string
	for tag, err := range c.Repositories.AllTags(t.Context(), "team", "team/web", nil) {
		require.NoError(t, err)
		tags = append(tags, tag.Tag)
	}
	require.Len(t, tags, 230)
	assert.Equal(t, "t229", tags[229])
	reqs := srv.requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, repoBase+"/tags", r.Path)
		assert.Equal(t, fmt.Sprintf("limit=100&offset=%d", i*100), r.RawQuery)
	}
}

func TestContentRangeTotal(t *testing.T) {
	cases := map[string]struct {
		v    string
		want int
		ok   bool
	}{
		"documented":    {"0-99/250", 250, true},
		"with unit":     {"items 100-50/150", 150, true},
		"spaces":        {"0-1/ 7", 7, true},
		"absent":        {"", 0, false},
		"unknown total": {"0-99/*", 0, false},
		"no slash":      {"0-99", 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			h.Set("Content-Range", tc.v)
			n, ok := contentRangeTotal(h)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, n)
		})
	}
}
