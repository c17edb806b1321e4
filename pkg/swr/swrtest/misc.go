package swrtest

import (
	"fmt"
	"net/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func apiV2(r *http.Request) swr.APIVersion {
	return swr.APIVersion{
		ID:         "v2",
		Links:      swr.Link{Href: baseURL(r) + "/v2/", Rel: "self"},
		Version:    "2.26",
		Status:     "CURRENT",
		Updated:    "2020-07-09T00:00:00Z",
		MinVersion: "2.0",
	}
}

// listVersions: GET / → 200 {"versions":[…]}.
func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, swr.Versions{Versions: []swr.APIVersion{apiV2(r)}})
}

// showVersion: GET /{api_version} → 200 {"version":{…}}; only v2 exists.
func (s *Server) showVersion(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("api_version") != "v2" {
		writeError(w, gatewayError(http.StatusNotFound, GatewayNoAPI, "The API does not exist or has not been published in the environment"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]swr.APIVersion{"version": apiV2(r)})
}

// listQuotas: GET /v2/manage/projects/{project_id}/quotas → 200.
func (s *Server) listQuotas(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("project_id"); id != s.ProjectID {
		writeError(w, swrError(http.StatusForbidden, CodeNotYourResource, fmt.Sprintf("project %s is not yours", id)))
		return
	}
	s.mu.RLock()
	used := len(s.st.namespaces)
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, swr.Quotas{Quotas: []swr.Quota{
		{QuotaKey: "namespace", QuotaLimit: s.quota, Used: used, Unit: ""},
	}})
}
