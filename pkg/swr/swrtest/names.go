package swrtest

import (
	"regexp"
	"strings"
)

// Name rules of swr-api.md §1.4.
var (
	triggerNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
	tagNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// ValidNamespaceName reports whether name is a valid organization name:
// 1–64 characters of a–z, 0–9, '.', '_', '-', starting with a letter,
// ending with a letter or digit, separators never touching except "__".
func ValidNamespaceName(name string) bool {
	return len(name) <= 64 && len(name) > 0 && isLower(name[0]) && validSeparated(name, "._-")
}

// ValidRepositoryName reports whether name is a valid repository name:
// 1–128 characters of a–z, 0–9, '.', '/', '_', '-', starting and ending
// with a letter or digit, separators never touching except "__".
func ValidRepositoryName(name string) bool {
	return len(name) <= 128 && len(name) > 0 && validSeparated(name, "./_-")
}

// ValidTriggerName reports whether name is a valid trigger name.
func ValidTriggerName(name string) bool { return triggerNamePattern.MatchString(name) }

// ValidTagName reports whether name is a valid image tag.
func ValidTagName(name string) bool { return tagNamePattern.MatchString(name) }

// validSeparated checks that name is made of lower-case alphanumerics
// joined by single separators from seps (or "__"), with alphanumerics at
// both ends.
func validSeparated(name, seps string) bool {
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return false
	}
	run := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isAlnum(c):
			run = 0
		case strings.IndexByte(seps, c) >= 0:
			run++
			if run == 2 && !(c == '_' && name[i-1] == '_') || run > 2 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

func isAlnum(c byte) bool { return isLower(c) || '0' <= c && c <= '9' }
