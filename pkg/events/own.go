package events

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// decodeOwnData decodes the data of one of the project's own CloudEvent
// types, refusing unknown members (a misspelt "dry_run" must not turn a dry
// run into a real one). An own type this version does not know is Unknown.
func decodeOwnData(typ string, data []byte, path string) (Payload, error) {
	var p Payload
	var err error
	switch typ {
	case TypeSweepRequested:
		p, err = decodeAs[SweepRequested](data, path, "target", "namespaces", "dry_run", "cursor")
	case TypeGrantSyncRequested, TypeDirectoryChanged:
		p, err = decodeAs[GrantSyncRequested](data, path, "target", "dry_run")
	case TypeRepositoryCreated:
		p, err = decodeAs[RepositoryCreated](data, path, "namespace", "repository")
	case TypeImagePushed:
		p, err = decodeAs[ImagePushed](data, path, "namespace", "repository", "tag", "digest")
	case TypeTriggerChanged:
		p, err = decodeAs[TriggerChanged](data, path, "namespace", "repository", "trigger")
	case TypeGrantsChanged:
		p, err = decodeAs[GrantsChanged](data, path, "namespace", "repository")
	case TypeNamespaceCreated:
		p, err = decodeAs[NamespaceCreated](data, path, "namespace")
	default:
		return Unknown{Type: typ, Reason: "unsupported CloudEvent type"}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := validatePayload(p, path); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeAs decodes data strictly into a T.
func decodeAs[T Payload](data []byte, path string, members ...string) (Payload, error) {
	var v T
	if err := decodeStrict(data, path, &v, members...); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeStrict decodes a JSON object into dst, accepting only the named
// members (spelt exactly). Empty or null data leaves dst zero.
func decodeStrict(data []byte, path string, dst any, members ...string) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return jsonError(path, err)
	}
	if dup, ok := duplicateMember(data); ok {
		// encoding/json keeps the last value; {"dry_run":true,"dry_run":false}
		// must not become a real run.
		return badRequest(join(path, dup), "duplicate member")
	}
	var unknown []string
	for k := range m {
		known := false
		for _, want := range members {
			known = known || k == want
		}
		if !known {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return badRequest(join(path, unknown[0]), "unknown member")
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return jsonError(path, err)
	}
	return nil
}

// duplicateMember returns the first member name that occurs twice in the
// JSON object data (already known to be a valid object), comparing names
// as encoding/json matches them to fields: case-insensitively.
func duplicateMember(data []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		name, _ := tok.(string)
		key := strings.ToLower(name)
		if seen[key] {
			return name, true
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}
