package policy

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Glob matches repository paths of the form "namespace/repository", where
// the repository name may itself contain "/". A "*" matches any run of
// characters within one path segment; a segment that is exactly "**"
// matches any number of segments, including none. Every other character
// matches itself.
//
// A glob may be scoped to one target of a targets file by a prefix:
// "dr:prod/**" is "prod/**" in the target named dr only. Match ignores the
// scope: Policy.ForTarget keeps the rules of one target.
type Glob struct {
	target   string
	pattern  string
	segments []string
}

// ParseGlob checks and compiles a glob. Names in SWR are lowercase, so a
// glob may only contain lowercase letters, digits, ".", "_", "-", "/" and
// "*"; "**" must be a whole segment and segments may not be empty. A glob
// that could match only names SWR's name rules refuse is an error.
func ParseGlob(pattern string) (Glob, error) {
	target, rest, scoped := strings.Cut(pattern, ":")
	if !scoped {
		return parsePathGlob(pattern)
	}
	if !targetName.MatchString(target) {
		return Glob{}, fmt.Errorf("glob %q: %q before ':' is not a target name (lowercase letters, digits and '-', starting with a letter)", pattern, target)
	}
	g, err := parsePathGlob(rest)
	if err != nil {
		return Glob{}, fmt.Errorf("glob %q: %w", pattern, err)
	}
	g.target = target
	return g, nil
}

// targetName is the shape of a target's name in a targets file.
var targetName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

func parsePathGlob(pattern string) (Glob, error) {
	if pattern == "" {
		return Glob{}, errors.New("empty glob")
	}
	for _, r := range pattern {
		if !isGlobRune(r) {
			return Glob{}, fmt.Errorf("glob %q: invalid character %q (names are lowercase letters, digits, '.', '_', '-' and '/')", pattern, r)
		}
	}
	segments := strings.Split(pattern, "/")
	for i, s := range segments {
		switch {
		case s == "":
			return Glob{}, fmt.Errorf("glob %q: empty path segment", pattern)
		case s != "**" && strings.Contains(s, "**"):
			return Glob{}, fmt.Errorf("glob %q: \"**\" must be a whole path segment", pattern)
		case s == "**" && i > 0 && segments[i-1] == "**":
			return Glob{}, fmt.Errorf("glob %q: repeated \"**\" segment", pattern)
		}
	}
	if err := checkGlobNames(segments); err != nil {
		return Glob{}, fmt.Errorf("glob %q: %w", pattern, err)
	}
	return Glob{pattern: pattern, segments: segments}, nil
}

// checkGlobNames refuses a glob that no valid SWR repository path can
// match, such as "prod/a..b" or "team.-*/**". Each "*" and each "**"
// segment is read as one letter, which can only help a name be valid;
// the namespace and the repository that gives must then follow SWR's
// name rules (swr.NamespaceNameRule, swr.RepositoryNameRule), length
// aside. A glob of one segment names no repository and is not checked
// further.
func checkGlobNames(segments []string) error {
	sample := make([]string, len(segments))
	for i, s := range segments {
		if s == "**" {
			s = "x"
		}
		sample[i] = strings.ReplaceAll(s, "*", "x")
	}
	if len(sample) < 2 {
		return nil
	}
	ns, repo := sample[0], strings.Join(sample[1:], "/")
	nsRule, repoRule := swr.NamespaceNameRule(), swr.RepositoryNameRule()
	nsRule.MaxLen, repoRule.MaxLen = len(ns), len(repo)
	if err := nsRule.Check(ns); err != nil && segments[0] != "**" {
		return fmt.Errorf("matches no namespace: a namespace name %v", err)
	}
	if err := repoRule.Check(repo); err != nil {
		return fmt.Errorf("matches no repository: a repository name %v", err)
	}
	return nil
}

// MustParseGlob is like ParseGlob but panics on error. It is meant for
// globs written in code.
func MustParseGlob(pattern string) Glob {
	g, err := ParseGlob(pattern)
	if err != nil {
		panic(err)
	}
	return g
}

func isGlobRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/*", r)
}

// String returns the glob as written.
func (g Glob) String() string {
	if g.target != "" {
		return g.target + ":" + g.pattern
	}
	return g.pattern
}

// Target returns the target the glob is scoped to, or "" for every target.
func (g Glob) Target() string { return g.target }

// InTarget reports whether the glob applies in the target named name: an
// unscoped glob applies in every target.
func (g Glob) InTarget(name string) bool { return g.target == "" || g.target == name }

// MatchesAll reports whether the glob is an unscoped "**", which matches
// every path of every target.
func (g Glob) MatchesAll() bool { return g.target == "" && g.pattern == "**" }

// Match reports whether the repository ns/repo matches the glob.
func (g Glob) Match(ns, repo string) bool { return g.MatchPath(ns + "/" + repo) }

// MatchesNamespace reports whether the glob matches some repository of
// namespace ns.
func (g Glob) MatchesNamespace(ns string) bool {
	switch {
	case len(g.segments) == 0:
		return false
	case g.segments[0] == "**":
		return true
	}
	ok, _ := path.Match(g.segments[0], ns)
	return ok && len(g.segments) > 1
}

// MatchPath reports whether a slash-separated path matches the glob.
// The zero Glob matches nothing.
func (g Glob) MatchPath(p string) bool {
	if len(g.segments) == 0 {
		return false
	}
	return matchSegments(g.segments, strings.Split(p, "/"))
}

func matchSegments(pattern, segs []string) bool {
	for len(pattern) > 0 {
		if pattern[0] == "**" {
			rest := pattern[1:]
			for i := 0; i <= len(segs); i++ {
				if matchSegments(rest, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		// ParseGlob admits no path.Match metacharacter other than "*", so
		// the pattern is always well formed.
		if ok, _ := path.Match(pattern[0], segs[0]); !ok {
			return false
		}
		pattern, segs = pattern[1:], segs[1:]
	}
	return len(segs) == 0
}
