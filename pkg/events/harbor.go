package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Harbor / SWR Enterprise webhook types.
const (
	// HarborTypeArtifactPushed is the CloudEvents-format push type.
	HarborTypeArtifactPushed = "harbor.artifact.pushed"
	// HarborEventPushArtifact is the Default-format push type.
	HarborEventPushArtifact = "PUSH_ARTIFACT"
	// HarborDefaultSource is the source given to Default-format webhooks,
	// which carry none.
	HarborDefaultSource = "harbor"
)

// harborPayload is the Default webhook format.
type harborPayload struct {
	Type      string          `json:"type"`
	OccurAt   int64           `json:"occur_at"`
	Operator  string          `json:"operator"`
	EventData json.RawMessage `json:"event_data"`
}

// harborEventData is event_data in the Default format and data in the
// CloudEvents format.
type harborEventData struct {
	Resources  []harborResource  `json:"resources"`
	Repository *harborRepository `json:"repository"`
}

type harborResource struct {
	Digest      string `json:"digest"`
	Tag         string `json:"tag"`
	ResourceURL string `json:"resource_url"`
}

type harborRepository struct {
	Name         string `json:"name"`
	Namespace    string `json:"namespace"`
	RepoFullName string `json:"repo_full_name"`
	RepoType     string `json:"repo_type"`
}

// decodeHarborDefault decodes a Default-format webhook. It carries no id, so
// each event's id is derived from its content: a redelivery gets the same id.
func (d *Decoder) decodeHarborDefault(body []byte, path string) ([]Event, error) {
	var p harborPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, jsonError(path, err)
	}
	if p.Type == "" {
		return nil, badRequest(join(path, "type"), "missing")
	}
	base := Event{Source: HarborDefaultSource, Type: p.Type, Time: time.Unix(p.OccurAt, 0).UTC()}
	if p.OccurAt <= 0 {
		base.Time = d.now()
	}
	if p.Type != HarborEventPushArtifact {
		base.ID = contentID(p.Type, strconv.FormatInt(p.OccurAt, 10), string(p.EventData))
		return []Event{withPayload(base, Unknown{Type: p.Type, Reason: "unsupported Harbor event type"})}, nil
	}
	pushes, err := d.harborPushes(p.EventData, join(path, "event_data"))
	if err != nil {
		return nil, err
	}
	hosts := harborHosts(p.EventData)
	out := make([]Event, len(pushes))
	for i, push := range pushes {
		e := base
		e.ID = contentID(p.Type, strconv.FormatInt(p.OccurAt, 10), push.Namespace, push.Repository, push.Tag, push.Digest)
		if i < len(hosts) {
			e.Location.RegistryHost = hosts[i]
		}
		out[i] = withPayload(e, push)
	}
	return out, nil
}

// decodeHarborData decodes the data of a harbor.artifact.pushed CloudEvent:
// one event per resource, the i-th (i > 0) with id "<id>#<i>".
func (d *Decoder) decodeHarborData(base Event, data []byte, path string) ([]Event, error) {
	pushes, err := d.harborPushes(data, path)
	if err != nil {
		return nil, err
	}
	hosts := harborHosts(data)
	out := make([]Event, len(pushes))
	for i, push := range pushes {
		e := base
		if i > 0 {
			e.ID = base.ID + "#" + strconv.Itoa(i)
		}
		if i < len(hosts) {
			e.Location.RegistryHost = hosts[i]
		}
		out[i] = withPayload(e, push)
	}
	return out, nil
}

// harborPushes turns event data into one ImagePushed per resource.
func (d *Decoder) harborPushes(raw []byte, path string) ([]ImagePushed, error) {
	if !present(raw) {
		return nil, badRequest(path, "missing")
	}
	var data harborEventData
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, jsonError(path, err)
	}
	if data.Repository == nil {
		return nil, badRequest(join(path, "repository"), "missing")
	}
	ns, repo := data.Repository.split()
	repoPath := join(path, "repository")
	if err := checkName(repoPath, "namespace", ns, namespaceRule); err != nil {
		return nil, err
	}
	if err := checkName(repoPath, "name", repo, repositoryRule); err != nil {
		return nil, err
	}
	if len(data.Resources) == 0 {
		return nil, badRequest(join(path, "resources"), "missing")
	}
	if err := d.limitEvents(join(path, "resources"), len(data.Resources)); err != nil {
		return nil, err
	}
	out := make([]ImagePushed, len(data.Resources))
	for i, r := range data.Resources {
		resPath := join(path, "resources["+strconv.Itoa(i)+"]")
		tag := r.Tag
		if tag == r.Digest || strings.Contains(tag, ":") {
			tag = "" // pushed by digest: Harbor repeats the digest as the tag
		}
		if tag == "" && r.Digest == "" {
			return nil, badRequest(resPath, "neither tag nor digest")
		}
		if err := checkOptional(resPath, "tag", tag, tagRule); err != nil {
			return nil, err
		}
		if err := checkOptional(resPath, "digest", r.Digest, digestRule); err != nil {
			return nil, err
		}
		push := ImagePushed{Namespace: ns, Repository: repo, Tag: tag, Digest: r.Digest}
		out[i] = push
	}
	return out, nil
}

// split returns the namespace (project) and the repository name within it.
// Harbor sends both and repo_full_name "namespace/name"; older senders only
// repo_full_name.
func (r *harborRepository) split() (ns, repo string) {
	ns, repo = r.Namespace, r.Name
	full := r.RepoFullName
	if ns == "" && full != "" {
		ns, _, _ = strings.Cut(full, "/")
	}
	if rest, ok := strings.CutPrefix(full, ns+"/"); ok && ns != "" && rest != "" {
		repo = rest
	}
	return ns, repo
}

// contentID derives a stable event id from the parts that identify an event.
func contentID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil))[:32]
}
