package events

import (
	_ "crypto/sha256" // digest.Digest.Validate knows the algorithms linked in
	_ "crypto/sha512"
	"errors"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Name rules. Tags and trigger names follow SWR's rules (swr.CheckTagName,
// swr.CheckTriggerName). Namespace and repository names follow SWR's
// grammar with the limits of SWR Enterprise / Harbor, which are wider (see
// harborNamespaceRule): a webhook from such a registry must not be refused
// for a name it allows, while anything that could not be a name still is.
//
// A name accepted here may therefore be one SWR itself cannot hold. The
// jobs that act on it through the SWR API check it against SWR's own
// rules (swr.CheckNamespaceName, swr.CheckRepositoryName) first and report
// the rule it breaks, rather than sending it to SWR.
const (
	maxNameLen   = 255 // Harbor's limit on names, also applied to digests
	maxCursorLen = 4096
)

// harborNamespaceRule is SWR's namespace rule with Harbor's limits: a
// project (namespace) name may start with a digit and be up to 255
// characters long.
func harborNamespaceRule() swr.NameRule {
	r := swr.NamespaceNameRule()
	r.MaxLen, r.LetterFirst = maxNameLen, false
	return r
}

// harborRepositoryRule is SWR's repository rule with Harbor's limit: a
// repository name may be up to 255 characters long.
func harborRepositoryRule() swr.NameRule {
	r := swr.RepositoryNameRule()
	r.MaxLen = maxNameLen
	return r
}

// validDigest follows the OCI digest grammar: the registered algorithms
// (sha256, sha384, sha512) carry lower-case hex of their length, and any
// other algorithm is held to the grammar alone.
func validDigest(s string) bool {
	if len(s) > maxNameLen {
		return false
	}
	err := digest.Digest(s).Validate()
	return err == nil || errors.Is(err, digest.ErrDigestUnsupported)
}

// rule is a kind of name and its check.
type rule int

// The name rules.
const (
	namespaceRule rule = iota
	repositoryRule
	tagRule
	digestRule
	triggerRule
)

// what names the rule's kind of value in error reasons.
func (r rule) what() string {
	return [...]string{"namespace name", "repository name", "tag", "digest", "trigger name"}[r]
}

// check reports why s breaks r, or nil when it follows it.
func (r rule) check(s string) error {
	switch r {
	case namespaceRule:
		return harborNamespaceRule().Check(s)
	case repositoryRule:
		return harborRepositoryRule().Check(s)
	case tagRule:
		return swr.CheckTagName(s)
	case digestRule:
		if !validDigest(s) {
			return errors.New("does not follow the OCI digest grammar")
		}
		return nil
	}
	return swr.CheckTriggerName(s)
}

// checkName returns a 400 naming path+"."+field when value is missing or
// breaks r.
func checkName(path, field, value string, r rule) error {
	if value == "" {
		return badRequest(join(path, field), "missing")
	}
	if err := r.check(value); err != nil {
		return badRequest(join(path, field), "not a valid "+r.what()+": "+quote(value)+" "+err.Error())
	}
	return nil
}

// checkOptional is checkName for a field that may be empty.
func checkOptional(path, field, value string, r rule) error {
	if value == "" {
		return nil
	}
	return checkName(path, field, value, r)
}

// validatePayload checks every name a payload carries, so that nothing that
// could not be an SWR name ever reaches a handler.
func validatePayload(p Payload, path string) error {
	var errs []error
	switch p := p.(type) {
	case RepositoryCreated:
		errs = append(errs, checkName(path, "namespace", p.Namespace, namespaceRule),
			checkName(path, "repository", p.Repository, repositoryRule))
	case ImagePushed:
		errs = append(errs, checkName(path, "namespace", p.Namespace, namespaceRule),
			checkName(path, "repository", p.Repository, repositoryRule),
			checkOptional(path, "tag", p.Tag, tagRule),
			checkOptional(path, "digest", p.Digest, digestRule))
	case TriggerChanged:
		errs = append(errs, checkName(path, "namespace", p.Namespace, namespaceRule),
			checkName(path, "repository", p.Repository, repositoryRule),
			checkOptional(path, "trigger", p.Trigger, triggerRule))
	case GrantsChanged:
		errs = append(errs, checkName(path, "namespace", p.Namespace, namespaceRule),
			checkOptional(path, "repository", p.Repository, repositoryRule))
	case NamespaceCreated:
		errs = append(errs, checkName(path, "namespace", p.Namespace, namespaceRule))
	case SweepRequested:
		for i, ns := range p.Namespaces {
			errs = append(errs, checkName(path, "namespaces["+strconv.Itoa(i)+"]", ns, namespaceRule))
		}
		if len(p.Cursor) > maxCursorLen {
			errs = append(errs, badRequest(join(path, "cursor"), "longer than "+strconv.Itoa(maxCursorLen)+" bytes"))
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// join appends a JSON member name to a path.
func join(path, field string) string {
	if path == "" {
		return field
	}
	if strings.HasPrefix(field, "[") {
		return path + field
	}
	return path + "." + field
}
