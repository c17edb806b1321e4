package swr

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paged is the result of a one-page list call.
type paged[T any] struct {
	Items []T
	Page  *Page
}

func ptr[T any](v T) *T { return &v }

// endpointCase is one API call: what the client must send and how it must
// decode the answer.
type endpointCase struct {
	name string
	call func(ctx context.Context, c *Client) (any, error)

	method string
	path   string // as on the wire
	query  string // raw query as on the wire
	body   string // exact request body bytes

	status     int
	respBody   string
	respHeader []string
	want       any
}

const (
	repoListJSON = `[{"name":"team/web","category":"linux","description":"","size":200977474,"is_public":false,
  "num_images":2,"num_download":0,"created_at":"2017-01-01T00:00:00Z",
  "updated_at":"2017-09-11T03:00:02.542841141Z","logo":"","url":"",
  "path":"swr.cn-north-4.myhuaweicloud.com/team/team/web","internal_path":"10.125.0.198:20202/team/team/web",
  "domain_name":"root","namespace":"team","tags":["latest","log"],"status":false,"total_range":101}]`
	repoDetailJSON = `{"id":5,"ns_id":6,"name":"team/web","category":"other","description":"containerops",
 "creator_id":"1","creator_name":"admin","size":2099575,"is_public":true,"num_images":3,
 "num_download":4,"url":"","path":"swr/team/web","internal_path":"10/team/web",
 "created":"2017-08-17T12:00:03.915153267Z","updated":"2017-08-17T12:00:04Z",
 "domain_id":"da44","priority":0}`
	tagListJSON = `[{"id":1,"repo_id":2,"Tag":"v1","image_id":"img","manifest":"{}","digest":"sha256:ab","schema":2,
  "path":"swr/team/web:v1","internal_path":"10/team/web:v1","size":99,"is_trusted":false,
  "created":"2026-01-01T00:00:00Z","updated":"2026-01-02T00:00:00.5Z","deleted":null,"domain_id":"d",
  "scanned":true,"tag_type":1}]`
	retentionJSON = `{"id":34,"algorithm":"or","scope":"","rules":[{"template":"date_rule","params":{"days":"30"},
  "tag_selectors":[{"kind":"label","pattern":"latest"},{"kind":"regexp","pattern":"^release-"}]}]}`
	triggerJSON = `{"action":"update","app_type":"deployments","application":"web","cluster_id":"c1","cluster_name":"prod",
  "cluster_ns":"default","condition":".*","container":"","created_at":"2026-01-01T00:00:00Z","creator_name":"u",
  "enable":"true","name":"deploy-web","trigger_history":[{"action":"update","app_type":"deployments",
  "application":"web","cluster_id":"c1","cluster_name":"prod","cluster_ns":"default","condition":".*",
  "container":"","created_at":"2026-01-02T00:00:00Z","creator_name":"u","detail":"ok","result":"success","tag":"v2"}],
  "trigger_mode":"cce","trigger_type":"all"}`
	syncRepoJSON = `[{"id":1,"namespace":"team","repoName":"team/web","remoteRegionId":"cn-east-3","remoteNamespace":"ns2",
  "syncAuto":true,"override":false,"domainID":"d1","domainName":"dn","createdAt":"c","updatedAt":"u"}]`
	syncJobJSON = `[{"createdAt":"c","domainID":"d","domainName":"dn","id":7,"namespace":"team","override":false,
  "remoteNamespace":"ns2","remoteRegionId":"cn-east-3","repoName":"team/web","status":"success",
  "syncOperatorId":"op","syncOperatorName":"opn","tag":"v1","updatedAt":"u"}]`
	versionJSON = `{"id":"v2","links":{"href":"https://swr-api.xxx/v2/","rel":"self"},"version":"2.26",
  "status":"CURRENT","updated":"2020-07-09T00:00:00Z","min_version":"2.0"}`
)

var (
	wantRepo = Repository{Name: "team/web", Category: "linux", Size: 200977474, NumImages: 2,
		CreatedAt: "2017-01-01T00:00:00Z", UpdatedAt: "2017-09-11T03:00:02.542841141Z",
		Path: "swr.cn-north-4.myhuaweicloud.com/team/team/web", InternalPath: "10.125.0.198:20202/team/team/web",
		DomainName: "root", Namespace: "team", Tags: []string{"latest", "log"}, TotalRange: 101}
	wantTag = Tag{ID: 1, RepoID: 2, Tag: "v1", ImageID: "img", Manifest: "{}", Digest: "sha256:ab", Schema: 2,
		Path: "swr/team/web:v1", InternalPath: "10/team/web:v1", Size: 99, Created: "2026-01-01T00:00:00Z",
		Updated: "2026-01-02T00:00:00.5Z", DomainID: "d", Scanned: true, TagType: 1}
	wantRetention = Retention{ID: 34, Algorithm: "or", Rules: []Rule{{Template: TemplateDateRule,
		Params:       map[string]string{"days": "30"},
		TagSelectors: []TagSelector{{Kind: SelectorLabel, Pattern: "latest"}, {Kind: SelectorRegexp, Pattern: "^release-"}}}}}
	wantTrigger = Trigger{Action: "update", AppType: "deployments", Application: "web", ClusterID: "c1",
		ClusterName: "prod", ClusterNs: "default", Condition: ".*", CreatedAt: "2026-01-01T00:00:00Z", CreatorName: "u",
		Enable: "true", Name: "deploy-web", TriggerMode: "cce", TriggerType: "all",
		TriggerHistory: []TriggerHistory{{Action: "update", AppType: "deployments", Application: "web", ClusterID: "c1",
			ClusterName: "prod", ClusterNs: "default", Condition: ".*", CreatedAt: "2026-01-02T00:00:00Z",
			CreatorName: "u", Detail: "ok", Result: "success", Tag: "v2"}}}
	wantVersion = APIVersion{ID: "v2", Links: Link{Href: "https://swr-api.xxx/v2/", Rel: "self"}, Version: "2.26",
		Status: "CURRENT", Updated: "2020-07-09T00:00:00Z", MinVersion: "2.0"}
	grants = []UserAuth{{UserID: "fb3f", UserName: "user01", Auth: AuthRead}, {UserID: "a2", UserName: "user02", Auth: AuthManage}}
)

const (
	grantsBody = `[{"user_id":"fb3f","user_name":"user01","auth":1},{"user_id":"a2","user_name":"user02","auth":7}]` + "\n"
	repoBase   = "/v2/manage/namespaces/team/repos/team$web"
)

func namespaceCases() []endpointCase {
	return []endpointCase{
		{name: "namespaces create", method: "POST", path: "/v2/manage/namespaces", body: `{"namespace":"team"}` + "\n",
			status: 201, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Namespaces.Create(ctx, "team") }},
		{name: "namespaces list", method: "GET", path: "/v2/manage/namespaces", query: "filter=mode%3A%3Avisible",
			status: 200, respBody: `{"namespaces":[{"id":1422,"name":"group","creator_name":"username","auth":7}]}`,
			want: []Namespace{{ID: 1422, Name: "group", CreatorName: "username", Auth: 7}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Namespaces.List(ctx) }},
		{name: "namespaces get", method: "GET", path: "/v2/manage/namespaces/demo",
			status: 200, respBody: `{"id":1422,"name":"demo","creator_name":"lgp","auth":3}`,
			want: &Namespace{ID: 1422, Name: "demo", CreatorName: "lgp", Auth: 3},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Namespaces.Get(ctx, "demo") }},
		{name: "namespaces delete", method: "DELETE", path: "/v2/manage/namespaces/demo", status: 204, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Namespaces.Delete(ctx, "demo") }},
		{name: "namespace access get", method: "GET", path: "/v2/manage/namespaces/team/access", status: 200,
			respBody: `{"id":1422,"name":"team","creator_name":"user01","self_auth":{"user_id":"3059","user_name":"me","auth":7},
			  "others_auths":[{"user_id":"fb3f","user_name":"user01","auth":1}]}`,
			want: &NamespaceAccess{ID: 1422, Name: "team", CreatorName: "user01",
				SelfAuth:    UserAuth{UserID: "3059", UserName: "me", Auth: 7},
				OthersAuths: []UserAuth{{UserID: "fb3f", UserName: "user01", Auth: 1}}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.NamespaceAccess.Get(ctx, "team") }},
		{name: "namespace access create", method: "POST", path: "/v2/manage/namespaces/team/access", body: grantsBody,
			status: 200, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.NamespaceAccess.Create(ctx, "team", grants)
			}},
		{name: "namespace access update", method: "PATCH", path: "/v2/manage/namespaces/team/access", body: grantsBody,
			status: 201, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.NamespaceAccess.Update(ctx, "team", grants)
			}},
		{name: "namespace access delete", method: "DELETE", path: "/v2/manage/namespaces/team/access",
			body: `["fb3f","a2"]` + "\n", status: 204, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.NamespaceAccess.Delete(ctx, "team", []string{"fb3f", "a2"})
			}},
	}
}

func repositoryCases() []endpointCase {
	return []endpointCase{
		{name: "repositories list", method: "GET", path: "/v2/manage/repos",
			query:  "category=linux&is_public=false&limit=50&name=web%20app&namespace=team&offset=100&order_column=updated_time&order_type=desc",
			status: 200, respBody: repoListJSON, respHeader: []string{"Content-Range", "100-1/101"},
			want: paged[Repository]{Items: []Repository{wantRepo}, Page: &Page{Offset: 100, Limit: 50, Total: 101}},
			call: func(ctx context.Context, c *Client) (any, error) {
				items, page, err := c.Repositories.List(ctx, &ListReposOptions{Namespace: "team", Name: "web app",
					Category: "linux", IsPublic: ptr(false), OrderColumn: "updated_time", OrderType: "desc", Offset: 100, Limit: 50})
				return paged[Repository]{items, page}, err
			}},
		{name: "repositories get", method: "GET", path: repoBase, status: 200, respBody: repoDetailJSON,
			want: &RepositoryDetail{ID: 5, NsID: 6, Name: "team/web", Category: "other", Description: "containerops",
				CreatorID: "1", CreatorName: "admin", Size: 2099575, IsPublic: true, NumImages: 3, NumDownload: 4,
				Path: "swr/team/web", InternalPath: "10/team/web", Created: "2017-08-17T12:00:03.915153267Z",
				Updated: "2017-08-17T12:00:04Z", DomainID: "da44"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Repositories.Get(ctx, "team", "team/web") }},
		{name: "repositories create", method: "POST", path: "/v2/manage/namespaces/team/repos",
			body:   `{"repository":"team/web","is_public":true,"category":"linux","description":"a <b> & c"}` + "\n",
			status: 200, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Repositories.Create(ctx, "team", CreateRepositoryRequest{Repository: "team/web",
					IsPublic: true, Category: "linux", Description: "a <b> & c"})
			}},
		{name: "repositories update", method: "PATCH", path: repoBase, body: `{"is_public":false}` + "\n",
			status: 201, want: nil,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Repositories.Update(ctx, "team", "team/web", UpdateRepositoryRequest{IsPublic: false})
			}},
		{name: "repositories delete", method: "DELETE", path: "/v2/manage/namespaces/team/repos/a$b$c", status: 204,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Repositories.Delete(ctx, "team", "a/b/c")
			}},
		{name: "tags list", method: "GET", path: repoBase + "/tags",
			query:  "limit=10&offset=0&order_column=updated_at&order_type=desc&tag=v1",
			status: 200, respBody: tagListJSON, respHeader: []string{"Content-Range", "0-1/1"},
			want: paged[Tag]{Items: []Tag{wantTag}, Page: &Page{Offset: 0, Limit: 10, Total: 1}},
			call: func(ctx context.Context, c *Client) (any, error) {
				items, page, err := c.Repositories.ListTags(ctx, "team", "team/web",
					&ListTagsOptions{Tag: "v1", OrderColumn: "updated_at", OrderType: "desc", Limit: 10})
				return paged[Tag]{items, page}, err
			}},
		{name: "tags get (lowercase tag key)", method: "GET", path: repoBase + "/tags/v1", status: 200,
			respBody: `{"id":1,"repo_id":2,"tag":"v1","digest":"sha256:ab","updated":"2026-01-02T00:00:00Z"}`,
			want:     &Tag{ID: 1, RepoID: 2, Tag: "v1", Digest: "sha256:ab", Updated: "2026-01-02T00:00:00Z"},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Repositories.GetTag(ctx, "team", "team/web", "v1")
			}},
		{name: "tags delete", method: "DELETE", path: repoBase + "/tags/v1", status: 204,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Repositories.DeleteTag(ctx, "team", "team/web", "v1")
			}},
		{name: "repository access get", method: "GET", path: repoBase + "/access", status: 200,
			respBody: `{"id":9,"name":"team/web","self_auth":{"user_id":"3059","user_name":"me","auth":7},"others_auths":[]}`,
			want: &RepositoryAccess{ID: 9, Name: "team/web", SelfAuth: UserAuth{UserID: "3059", UserName: "me", Auth: 7},
				OthersAuths: []UserAuth{}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.RepositoryAccess.Get(ctx, "team", "team/web")
			}},
		{name: "repository access create", method: "POST", path: repoBase + "/access", body: grantsBody, status: 201,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RepositoryAccess.Create(ctx, "team", "team/web", grants)
			}},
		{name: "repository access update", method: "PATCH", path: repoBase + "/access", body: grantsBody, status: 201,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RepositoryAccess.Update(ctx, "team", "team/web", grants)
			}},
		{name: "repository access delete", method: "DELETE", path: repoBase + "/access", body: `["fb3f"]` + "\n",
			status: 204,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RepositoryAccess.Delete(ctx, "team", "team/web", []string{"fb3f"})
			}},
	}
}

func retentionCases() []endpointCase {
	rule := RetentionRequest{Rules: []Rule{{Template: TemplateTagRule, Params: map[string]string{"num": "10"}}}}
	const ruleBody = `{"algorithm":"or","rules":[{"template":"tag_rule","params":{"num":"10"},"tag_selectors":[]}]}` + "\n"
	return []endpointCase{
		{name: "retentions list", method: "GET", path: repoBase + "/retentions", status: 200,
			respBody: "[" + retentionJSON + "]", want: []Retention{wantRetention},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Retentions.List(ctx, "team", "team/web") }},
		{name: "retentions create", method: "POST", path: repoBase + "/retentions", body: ruleBody,
			status: 201, respBody: `{"id":34}`, want: 34,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Retentions.Create(ctx, "team", "team/web", rule)
			}},
		{name: "retentions get", method: "GET", path: repoBase + "/retentions/34", status: 200,
			respBody: retentionJSON, want: &wantRetention,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Retentions.Get(ctx, "team", "team/web", 34)
			}},
		{name: "retentions update", method: "PATCH", path: repoBase + "/retentions/34", body: ruleBody, status: 201,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Retentions.Update(ctx, "team", "team/web", 34, rule)
			}},
		{name: "retentions delete", method: "DELETE", path: repoBase + "/retentions/34", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Retentions.Delete(ctx, "team", "team/web", 34)
			}},
		{name: "retentions histories", method: "GET", path: repoBase + "/retentions/histories",
			query: "limit=20&offset=40", status: 200, respHeader: []string{"Content-Range", "40-1/41"},
			respBody: `{"retention_log":[{"created_at":"2020-04-17T08:01:09.658309Z","id":9088,"namespace":"team",
			  "repo":"team/web","retention_id":91,"rule_type":"{\"template\":\"tag_rule\",\"params\":{\"num\":\"7\"},\"tag_selectors\":[]}",
			  "tag":"4"}],"total":41}`,
			want: &RetentionHistories{Total: 41, RetentionLog: []RetentionLog{{CreatedAt: "2020-04-17T08:01:09.658309Z",
				ID: 9088, Namespace: "team", Repo: "team/web", RetentionID: 91,
				RuleType: `{"template":"tag_rule","params":{"num":"7"},"tag_selectors":[]}`, Tag: "4"}}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Retentions.Histories(ctx, "team", "team/web", &ListOptions{Offset: 40, Limit: 20})
			}},
	}
}

func triggerSyncMetaCases() []endpointCase {
	return []endpointCase{
		{name: "triggers list", method: "GET", path: repoBase + "/triggers", status: 200,
			respBody: "[" + triggerJSON + "]", want: []Trigger{wantTrigger},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Triggers.List(ctx, "team", "team/web") }},
		{name: "triggers create", method: "POST", path: repoBase + "/triggers", status: 201,
			body: `{"action":"update","app_type":"deployments","application":"web","cluster_id":"c1","cluster_name":"prod",` +
				`"cluster_ns":"default","condition":"v1;v2","enable":"true","name":"deploy-web","trigger_mode":"cce","trigger_type":"tag"}` + "\n",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Triggers.Create(ctx, "team", "team/web", CreateTriggerRequest{Action: "update",
					AppType: "deployments", Application: "web", ClusterID: "c1", ClusterName: "prod", ClusterNs: "default",
					Condition: "v1;v2", Enable: "true", Name: "deploy-web", TriggerMode: "cce", TriggerType: "tag"})
			}},
		{name: "triggers get", method: "GET", path: repoBase + "/triggers/deploy-web", status: 200,
			respBody: triggerJSON, want: &wantTrigger,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Triggers.Get(ctx, "team", "team/web", "deploy-web")
			}},
		{name: "triggers update", method: "PATCH", path: repoBase + "/triggers/deploy-web",
			body: `{"enable":"false"}` + "\n", status: 201,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Triggers.Update(ctx, "team", "team/web", "deploy-web", false)
			}},
		{name: "triggers delete", method: "DELETE", path: repoBase + "/triggers/deploy-web", status: 204,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Triggers.Delete(ctx, "team", "team/web", "deploy-web")
			}},
		{name: "sync regions", method: "GET", path: "/v2/manage/regions", status: 200,
			respBody: `[{"regionID":"cn-east-3"},{"regionID":"ap-southeast-1"}]`,
			want:     []SyncRegion{{RegionID: "cn-east-3"}, {RegionID: "ap-southeast-1"}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.Sync.Regions(ctx) }},
		{name: "sync list", method: "GET", path: repoBase + "/sync_repo", status: 200, respBody: syncRepoJSON,
			want: []SyncRepo{{ID: 1, Namespace: "team", RepoName: "team/web", RemoteRegionID: "cn-east-3",
				RemoteNamespace: "ns2", SyncAuto: true, DomainID: "d1", DomainName: "dn", CreatedAt: "c", UpdatedAt: "u"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Sync.List(ctx, "team", "team/web") }},
		{name: "sync create", method: "POST", path: repoBase + "/sync_repo", status: 200,
			body: `{"remoteRegionId":"cn-east-3","remoteNamespace":"ns2","syncAuto":true,"override":false}` + "\n",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Sync.Create(ctx, "team", "team/web", CreateSyncRepoRequest{RemoteRegionID: "cn-east-3",
					RemoteNamespace: "ns2", SyncAuto: true})
			}},
		{name: "sync delete (DELETE with body)", method: "DELETE", path: repoBase + "/sync_repo", status: 200,
			body: `{"remoteRegionId":"cn-east-3","remoteNamespace":"ns2"}` + "\n",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Sync.Delete(ctx, "team", "team/web", DeleteSyncRepoRequest{RemoteRegionID: "cn-east-3",
					RemoteNamespace: "ns2"})
			}},
		{name: "sync images", method: "POST", path: repoBase + "/sync_images", status: 200, respBody: `["v2"]`,
			body: `{"imageTag":["v1","v2"],"remoteRegionId":"cn-east-3","remoteNamespace":"ns2","override":true}` + "\n",
			want: []string{"v2"},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Sync.SyncImages(ctx, "team", "team/web", SyncImagesRequest{ImageTag: []string{"v1", "v2"},
					RemoteRegionID: "cn-east-3", RemoteNamespace: "ns2", Override: true})
			}},
		{name: "sync jobs", method: "GET", path: repoBase + "/sync_job",
			query:  "filter=limit%3A%3A10%7Coffset%3A%3A20%7Corder%3A%3Adesc",
			status: 200, respBody: syncJobJSON, respHeader: []string{"Content-Range", "20-1/21"},
			want: paged[SyncJob]{Items: []SyncJob{{CreatedAt: "c", DomainID: "d", DomainName: "dn", ID: 7, Namespace: "team",
				RemoteNamespace: "ns2", RemoteRegionID: "cn-east-3", RepoName: "team/web", Status: "success",
				SyncOperatorID: "op", SyncOperatorName: "opn", Tag: "v1", UpdatedAt: "u"}},
				Page: &Page{Offset: 20, Limit: 10, Total: 21}},
			call: func(ctx context.Context, c *Client) (any, error) {
				items, page, err := c.Sync.Jobs(ctx, "team", "team/web", &ListOptions{Offset: 20, Limit: 10})
				return paged[SyncJob]{items, page}, err
			}},
		{name: "quotas", method: "GET", path: "/v2/manage/projects/" + testProject + "/quotas", status: 200,
			respBody: `{"quotas":[{"quota_key":"namespace","quota_limit":5,"used":1,"unit":""}]}`,
			want:     []Quota{{QuotaKey: "namespace", QuotaLimit: 5, Used: 1}},
			call:     func(ctx context.Context, c *Client) (any, error) { return c.Meta.Quotas(ctx) }},
		{name: "versions", method: "GET", path: "/", status: 200, respBody: `{"versions":[` + versionJSON + `]}`,
			want: []APIVersion{wantVersion},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Meta.Versions(ctx) }},
		{name: "version", method: "GET", path: "/v2", status: 200, respBody: `{"version":` + versionJSON + `}`,
			want: &wantVersion,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Meta.Version(ctx, "v2") }},
	}
}

func TestEndpoints(t *testing.T) {
	var cases []endpointCase
	cases = append(cases, namespaceCases()...)
	cases = append(cases, repositoryCases()...)
	cases = append(cases, retentionCases()...)
	cases = append(cases, triggerSyncMetaCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				reply(w, tc.status, tc.respBody, tc.respHeader...)
			})
			c, _ := testClient(t, srv.URL, WithUserAgent("swr-test/1"))
			got, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)

			reqs := srv.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, tc.method, r.Method)
			assert.Equal(t, tc.path, r.Path)
			assert.Equal(t, tc.query, r.RawQuery)
			assert.Equal(t, tc.body, string(r.Body))
			assert.NoError(t, r.SigErr, "signature must verify")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, "swr-test/1", r.Header.Get("User-Agent"))
			assert.Equal(t, testProject, r.Header.Get(HeaderProjectID))
			assert.Equal(t, testNow.Format(SdkDateFormat), r.Header.Get(HeaderSdkDate))
			_, signed, _, err := ParseAuthorization(r.Header.Get("Authorization"))
			require.NoError(t, err)
			assert.Equal(t, []string{"x-project-id", "x-sdk-date"}, signed)
		})
	}
}

func TestSecurityTokenIsSentAndSigned(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, `{"namespaces":[]}`) })
	c, err := NewClient(srv.URL, AKSK{AK: testAK, SK: testSK, SecurityToken: testSTS}, WithClock(fixedClock))
	require.NoError(t, err)
	_, err = c.Namespaces.List(t.Context())
	require.NoError(t, err)
	r := srv.requests()[0]
	require.NoError(t, r.SigErr)
	assert.Equal(t, testSTS, r.Header.Get(HeaderSecurityToken))
	assert.Empty(t, r.Header.Get(HeaderProjectID), "no project id configured, none sent")
	_, signed, _, err := ParseAuthorization(r.Header.Get("Authorization"))
	require.NoError(t, err)
	assert.Equal(t, []string{"x-sdk-date", "x-security-token"}, signed)
}

func TestEndpointPrefixIsKept(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, `{"namespaces":[]}`) })
	c, _ := testClient(t, srv.URL+"/swr/")
	_, err := c.Namespaces.List(t.Context())
	require.NoError(t, err)
	r := srv.requests()[0]
	assert.Equal(t, "/swr/v2/manage/namespaces", r.Path)
	assert.NoError(t, r.SigErr)
}

func TestEmptyBodyDecodesToZero(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, "") })
	c, _ := testClient(t, srv.URL)
	rules, err := c.Retentions.List(t.Context(), "team", "web")
	require.NoError(t, err)
	assert.Empty(t, rules)
}

func TestMalformedSuccessBodyIsAnError(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, `{"namespaces":`) })
	c, _ := testClient(t, srv.URL)
	_, err := c.Namespaces.List(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decode response")
	assert.Contains(t, err.Error(), "GET /v2/manage/namespaces")
}

func TestInvalidArgumentsAreRejectedBeforeSending(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, "") })
	c, _ := testClient(t, srv.URL)
	ctx := t.Context()
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"empty namespace", func() error { return c.Namespaces.Delete(ctx, "") }, "namespace is empty"},
		{"slash in namespace", func() error { _, err := c.Namespaces.Get(ctx, "a/b"); return err }, `namespace "a/b" contains '/'`},
		{"empty repository", func() error { _, err := c.Repositories.Get(ctx, "team", ""); return err }, "repository is empty"},
		{"repository with leading slash", func() error { return c.Repositories.Delete(ctx, "team", "/web") }, "starts or ends with '/'"},
		{"empty tag", func() error { return c.Repositories.DeleteTag(ctx, "team", "web", "") }, "tag is empty"},
		{"retention id 0", func() error { return c.Retentions.Delete(ctx, "team", "web", 0) }, "retention id 0 is not positive"},
		{"retention without rules", func() error {
			_, err := c.Retentions.Create(ctx, "team", "web", RetentionRequest{})
			return err
		}, "retention has no rules"},
		{"grant level", func() error {
			return c.NamespaceAccess.Create(ctx, "team", []UserAuth{{UserID: "u", UserName: "n", Auth: 5}})
		}, "auth 5 is not 1 (read), 3 (write) or 7 (manage)"},
		{"no user ids", func() error { return c.RepositoryAccess.Delete(ctx, "team", "web", nil) }, "no user ids given"},
		{"limit too large", func() error {
			_, _, err := c.Repositories.List(ctx, &ListReposOptions{Limit: 1001})
			return err
		}, "limit 1001 exceeds the maximum page size 1000"},
		{"order without type", func() error {
			_, _, err := c.Repositories.ListTags(ctx, "team", "web", &ListTagsOptions{OrderColumn: "tag"})
			return err
		}, "OrderColumn and OrderType must be set together"},
		{"sync without region", func() error {
			return c.Sync.Create(ctx, "team", "web", CreateSyncRepoRequest{RemoteNamespace: "x"})
		}, "remoteRegionId and remoteNamespace are required"},
		{"namespace name against the rules", func() error { return c.Namespaces.Create(ctx, "my.-org") },
			`create namespace: name "my.-org" has separators ".-" touching`},
		{"repository name against the rules", func() error {
			return c.Repositories.Create(ctx, "team", CreateRepositoryRequest{Repository: "a..b"})
		}, `create repository: name "a..b" has separators ".." touching`},
		{"sync to a namespace against the rules", func() error {
			return c.Sync.Create(ctx, "team", "web", CreateSyncRepoRequest{RemoteRegionID: "r", RemoteNamespace: "a___b"})
		}, `remote namespace "a___b" has more than two "_" in a row`},
		{"sync images without tags", func() error {
			_, err := c.Sync.SyncImages(ctx, "team", "web", SyncImagesRequest{RemoteRegionID: "r", RemoteNamespace: "x"})
			return err
		}, "no tags given"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.Empty(t, srv.requests(), "invalid calls must not reach the server")
}

// TestNamesWithRepeatedHyphensAreSent: consecutive '-' are legal in SWR
// names (swr-api.md §1.4), so the client sends them.
func TestNamesWithRepeatedHyphensAreSent(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, "") })
	c, _ := testClient(t, srv.URL)
	ctx := t.Context()
	require.NoError(t, c.Namespaces.Create(ctx, "my--org"))
	require.NoError(t, c.Repositories.Create(ctx, "my--org", CreateRepositoryRequest{Repository: "app--x"}))
	require.NoError(t, c.Sync.Create(ctx, "my--org", "app--x", CreateSyncRepoRequest{RemoteRegionID: "r", RemoteNamespace: "my--org-dr"}))
	assert.Len(t, srv.requests(), 3)
}

func TestQuotasNeedAProjectID(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, `{"quotas":[]}`) })
	c, err := NewClient(srv.URL, StaticToken{Token: "tok"})
	require.NoError(t, err)
	_, err = c.Meta.Quotas(t.Context())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "no project id"), err.Error())
	assert.Empty(t, srv.requests())
}
