package events

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
)

// eventGridLocation reads where an EventGrid event happened: the region
// from the CloudEvent's "region" extension attribute or the CTS trace's
// region_id (or region), the project from the trace's project_id.
// Whatever is missing or malformed stays empty.
func eventGridLocation(ce *event.Event) Location {
	var trace struct {
		ProjectID string `json:"project_id"`
		RegionID  string `json:"region_id"`
		Region    string `json:"region"`
	}
	_ = json.Unmarshal(ce.Data(), &trace)
	loc := Location{ProjectID: trace.ProjectID, Region: trace.RegionID}
	if loc.Region == "" {
		loc.Region = trace.Region
	}
	if v, ok := ce.Extensions()["region"].(string); ok && v != "" {
		loc.Region = v
	}
	if !regionShape(loc.Region) {
		loc.Region = ""
	}
	return loc
}

// regionShape reports whether s looks like a region name such as
// cn-north-4: lower-case letters, digits and '-', with at least one '-'.
func regionShape(s string) bool {
	if s == "" || len(s) > 64 || !strings.Contains(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// harborHosts returns, for each resource of Harbor event data, the host
// of its resource_url ("swr.cn-north-4.myhuaweicloud.com/ns/repo:tag"),
// lower case and without a port; "" where there is none.
func harborHosts(raw []byte) []string {
	var data harborEventData
	if json.Unmarshal(raw, &data) != nil {
		return nil
	}
	out := make([]string, len(data.Resources))
	for i, r := range data.Resources {
		u := r.ResourceURL
		if !strings.Contains(u, "://") {
			u = "https://" + u
		}
		if parsed, err := url.Parse(u); err == nil {
			out[i] = strings.ToLower(parsed.Hostname())
		}
	}
	return out
}
