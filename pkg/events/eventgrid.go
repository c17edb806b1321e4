package events

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Huawei Cloud EventGrid delivers SWR's Cloud Trace Service (CTS) records as
// CloudEvents with this source and these types; data is the CTS trace.
const (
	EventGridSource            = "HC.SWR"
	EventGridTypeAPICall       = "SWR:CloudTrace:ApiCall"
	EventGridTypeConsoleAction = "SWR:CloudTrace:ConsoleAction"
)

// ctsTrace holds the CTS trace members the mapping reads. time, user,
// response and the rest are not needed: the CloudEvent carries the time.
type ctsTrace struct {
	TraceName    string          `json:"trace_name"`
	TraceRating  string          `json:"trace_rating"`
	ServiceType  string          `json:"service_type"`
	ResourceType string          `json:"resource_type"`
	ResourceName string          `json:"resource_name"`
	Code         json.RawMessage `json:"code"`
	Request      json.RawMessage `json:"request"`
}

// ctsRequest holds the request body members used when resource_name does not
// name everything (a trigger's name is only in the request).
type ctsRequest struct {
	Namespace  string `json:"namespace"`
	Repository string `json:"repository"`
	Name       string `json:"name"`
	Tag        string `json:"tag"`
}

// decodeEventGridData maps a CTS trace to a payload by trace_name:
//
//	createImageRepository                        RepositoryCreated
//	postMultipartImagePackage                    ImagePushed
//	createTrigger, updateTrigger, deleteTrigger  TriggerChanged
//	{create,update,delete}UserNamespaceAuth      GrantsChanged (namespace)
//	{create,update,delete}UserRepositoryAuth     GrantsChanged (repository)
//	createUserNamespace                          NamespaceCreated
//
// Other traces, and traces of failed operations (trace_rating other than
// "normal", or an HTTP code of 400 or more), are Unknown.
//
// resource_name is read as "namespace/repository" or
// "namespace:repository", for pushes "namespace/repository:tag",
// "namespace/repository@digest" or "namespace:repository:tag", for triggers
// also "namespace:repository:trigger", and a bare "namespace" for namespace
// traces. What resource_name lacks is taken from the request body's
// namespace, repository, name (the trigger) and tag members.
func decodeEventGridData(typ string, data []byte, path string) (Payload, error) {
	if typ != EventGridTypeAPICall && typ != EventGridTypeConsoleAction {
		return Unknown{Type: typ, Reason: "unsupported EventGrid event type"}, nil
	}
	if !present(data) {
		return nil, badRequest(path, "missing")
	}
	var t ctsTrace
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, jsonError(path, err)
	}
	if t.TraceName == "" {
		return nil, badRequest(join(path, "trace_name"), "missing")
	}
	if t.ServiceType != "" && t.ServiceType != "SWR" {
		return nil, badRequest(join(path, "service_type"), "want \"SWR\", got "+quote(t.ServiceType))
	}
	unknown := Unknown{Type: typ + " " + t.TraceName}
	if t.failed() {
		unknown.Reason = "the traced operation failed"
		return unknown, nil
	}
	req := t.request()
	var p Payload
	switch name := t.TraceName; {
	case name == "createImageRepository":
		ns, repo := repoRef(t.ResourceName, req)
		p = RepositoryCreated{Namespace: ns, Repository: repo}
	case name == "postMultipartImagePackage":
		p = imageRef(t.ResourceName, req)
	case name == "createTrigger" || name == "updateTrigger" || name == "deleteTrigger":
		p = triggerRef(t.ResourceName, req)
	case name == "createUserNamespace":
		p = NamespaceCreated{Namespace: nsRef(t.ResourceName, req)}
	case isGrantTrace(name, "UserNamespaceAuth"):
		p = GrantsChanged{Namespace: nsRef(t.ResourceName, req)}
	case isGrantTrace(name, "UserRepositoryAuth"):
		ns, repo := repoRef(t.ResourceName, req)
		if repo == "" {
			return nil, badRequest(join(path, "resource_name"), "no repository in "+quote(t.ResourceName))
		}
		p = GrantsChanged{Namespace: ns, Repository: repo}
	default:
		unknown.Reason = "trace not acted on"
		return unknown, nil
	}
	if err := validatePayload(p, join(path, "resource_name")); err != nil {
		return nil, err
	}
	return p, nil
}

func isGrantTrace(name, object string) bool {
	for _, verb := range [...]string{"create", "update", "delete"} {
		if name == verb+object {
			return true
		}
	}
	return false
}

// failed reports whether the traced operation failed.
func (t ctsTrace) failed() bool {
	if t.TraceRating != "" && t.TraceRating != "normal" {
		return true
	}
	code, err := strconv.Atoi(strings.Trim(string(t.Code), `"`))
	return err == nil && code >= 400
}

// request decodes the request member, which CTS stores as a JSON string (and
// some senders inline as an object). A request that does not decode is
// treated as empty: it is only a fallback.
func (t ctsTrace) request() ctsRequest {
	raw := []byte(t.Request)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	var r ctsRequest
	_ = json.Unmarshal(raw, &r)
	return r
}

// splitRef splits a resource name at its first ':' or '/' into the
// namespace and the rest, and reports which separator it was.
func splitRef(s string) (ns, rest string, colon bool) {
	i := strings.IndexAny(s, ":/")
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], s[i] == ':'
}

func nsRef(resource string, req ctsRequest) string {
	ns, _, _ := splitRef(resource)
	if ns == "" {
		ns = req.Namespace
	}
	return ns
}

func repoRef(resource string, req ctsRequest) (ns, repo string) {
	ns, rest, _ := splitRef(resource)
	repo, _, _ = strings.Cut(rest, "@")
	repo, _, _ = strings.Cut(repo, ":")
	if ns == "" {
		ns = req.Namespace
	}
	if repo == "" {
		repo = req.Repository
	}
	return ns, repo
}

func imageRef(resource string, req ctsRequest) ImagePushed {
	ns, rest, _ := splitRef(resource)
	rest, digest, _ := strings.Cut(rest, "@")
	repo, tag, _ := strings.Cut(rest, ":")
	p := ImagePushed{Namespace: ns, Repository: repo, Tag: tag, Digest: digest}
	if p.Namespace == "" {
		p.Namespace = req.Namespace
	}
	if p.Repository == "" {
		p.Repository = req.Repository
	}
	if p.Tag == "" {
		p.Tag = req.Tag
	}
	return p
}

func triggerRef(resource string, req ctsRequest) TriggerChanged {
	ns, rest, colon := splitRef(resource)
	p := TriggerChanged{Namespace: ns, Repository: rest}
	if colon {
		p.Repository, p.Trigger, _ = strings.Cut(rest, ":")
	}
	if p.Trigger == "" {
		p.Trigger = req.Name
		if repo, ok := strings.CutSuffix(p.Repository, "/"+req.Name); ok && req.Name != "" {
			p.Repository = repo
		}
	}
	if p.Namespace == "" {
		p.Namespace = req.Namespace
	}
	if p.Repository == "" {
		p.Repository = req.Repository
	}
	return p
}
