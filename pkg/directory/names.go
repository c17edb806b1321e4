package directory

import (
	"errors"
	"fmt"
	"strings"
)

// Length limits of SWR names (swr-api.md §1.4).
const (
	MaxNamespaceLen  = 64
	MaxRepositoryLen = 128
)

// CheckNamespaceName reports why name is not a valid SWR namespace
// (organization) name, or nil when it is. A namespace has 1–64 characters,
// starts with a lowercase letter, ends with a lowercase letter or digit and
// otherwise holds lowercase letters, digits and the separators '.', '_' and
// '-'; separators may not touch each other, except that "__" is allowed.
func CheckNamespaceName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if len(name) > MaxNamespaceLen {
		return fmt.Errorf("is %d characters long, at most %d are allowed", len(name), MaxNamespaceLen)
	}
	if !isLower(name[0]) {
		return errors.New("must start with a lowercase letter")
	}
	return checkBody(name, "._-")
}

// CheckRepositoryName reports why name is not a valid SWR repository name,
// or nil when it is. A repository has 1–128 characters, starts and ends with
// a lowercase letter or digit and otherwise holds lowercase letters, digits
// and the separators '.', '/', '_' and '-'; separators may not touch each
// other, except that "__" is allowed.
func CheckRepositoryName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if len(name) > MaxRepositoryLen {
		return fmt.Errorf("is %d characters long, at most %d are allowed", len(name), MaxRepositoryLen)
	}
	if !isLower(name[0]) && !isDigit(name[0]) {
		return errors.New("must start with a lowercase letter or a digit")
	}
	return checkBody(name, "./_-")
}

// SplitRepositoryKey splits a directory repository key "namespace/repo"
// at its first '/'. The repository part may itself contain '/'.
func SplitRepositoryKey(key string) (namespace, repository string, ok bool) {
	namespace, repository, ok = strings.Cut(key, "/")
	return namespace, repository, ok && namespace != "" && repository != ""
}

// RepositoryKey joins a namespace and a repository into the key used in the
// directory's repositories maps.
func RepositoryKey(namespace, repository string) string {
	return namespace + "/" + repository
}

// checkBody checks the characters and separators of a name whose first
// character was already checked.
func checkBody(name, separators string) error {
	last := name[len(name)-1]
	if !isLower(last) && !isDigit(last) {
		return errors.New("must end with a lowercase letter or a digit")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		sep := strings.IndexByte(separators, c) >= 0
		if !sep && !isLower(c) && !isDigit(c) {
			return fmt.Errorf("contains %q: only lowercase letters, digits and %s are allowed", c, quoteEach(separators))
		}
		if !sep || i == 0 || strings.IndexByte(separators, name[i-1]) < 0 {
			continue
		}
		if c == '_' && name[i-1] == '_' {
			if i >= 2 && name[i-2] == '_' {
				return errors.New(`has more than two "_" in a row`)
			}
			continue // "__" is the one allowed pair
		}
		return fmt.Errorf("has separators %q touching", name[i-1:i+1])
	}
	return nil
}

func quoteEach(chars string) string {
	quoted := make([]string, len(chars))
	for i := range len(chars) {
		quoted[i] = fmt.Sprintf("%q", chars[i])
	}
	return strings.Join(quoted, " ")
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
