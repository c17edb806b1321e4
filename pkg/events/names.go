package events

import (
	"strconv"
	"strings"
)

// Name rules. SWR's own rules (swr-api.md §1.4) are a subset of these; the
// rules are widened where SWR Enterprise / Harbor allow more (a namespace may
// start with a digit, names may be up to 255 characters), so that no real
// webhook is refused while anything that could not be a name still is.
const (
	maxNameLen    = 255
	maxTagLen     = 128
	maxTriggerLen = 64
	maxCursorLen  = 4096
)

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// validPath reports whether s is a lower-case name made of alphanumeric
// components joined by '.', '_', '__', '-' (and '/' when slash is set).
func validPath(s string, slash bool) bool {
	if s == "" || len(s) > maxNameLen || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if isLowerAlnum(c) {
			continue
		}
		if c != '.' && c != '_' && c != '-' && (c != '/' || !slash) {
			return false
		}
		p := s[i-1]
		if !isLowerAlnum(p) && !(c == '_' && p == '_' && (i < 2 || s[i-2] != '_')) {
			return false
		}
	}
	return true
}

func validNamespace(s string) bool  { return validPath(s, false) }
func validRepository(s string) bool { return validPath(s, true) }

// validTag follows the OCI distribution tag grammar.
func validTag(s string) bool {
	if s == "" || len(s) > maxTagLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// validDigest follows the OCI digest grammar and, for sha256 and sha512,
// the length and lower-case hex of the encoded part.
func validDigest(s string) bool {
	alg, enc, ok := strings.Cut(s, ":")
	if !ok || alg == "" || enc == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(alg); i++ {
		c := alg[i]
		if !isLowerAlnum(c) && (i == 0 || c != '+' && c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	hex := func(n int) bool {
		if len(enc) != n {
			return false
		}
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	switch alg {
	case "sha256":
		return hex(64)
	case "sha512":
		return hex(128)
	}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '=' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validTrigger follows SWR's trigger name rule: a letter, then letters,
// digits, '-' or '_'.
func validTrigger(s string) bool {
	if s == "" || len(s) > maxTriggerLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return true
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

func (r rule) valid(s string) bool {
	switch r {
	case namespaceRule:
		return validNamespace(s)
	case repositoryRule:
		return validRepository(s)
	case tagRule:
		return validTag(s)
	case digestRule:
		return validDigest(s)
	}
	return validTrigger(s)
}

// checkName returns a 400 naming path+"."+field when value is missing or
// breaks r.
func checkName(path, field, value string, r rule) error {
	if value == "" {
		return badRequest(join(path, field), "missing")
	}
	if !r.valid(value) {
		return badRequest(join(path, field), "not a valid "+r.what()+": "+quote(value))
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
