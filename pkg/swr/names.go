package swr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Length limits of SWR names (swr-api.md §1.4) and of image tags (the OCI
// distribution tag grammar, which SWR enforces on push).
const (
	MaxNamespaceNameLen  = 64
	MaxRepositoryNameLen = 128
	MaxTriggerNameLen    = 64
	MaxTagNameLen        = 128
)

// NameRule is the grammar SWR's namespace and repository names share
// (swr-api.md §1.4, the Docker distribution grammar): runs of lowercase
// letters and digits joined by separators, with a letter or digit at both
// ends. Separators of different kinds never touch; '-' may repeat
// (`my--org`, `a---b`), '_' may be doubled (`a__b`) and every other
// separator ('.', '/') stands alone. Its fields hold what differs between
// kinds of name, so that a registry using the same grammar with other
// limits can state its own rule as a change to SWR's. The zero NameRule
// accepts no name; start from NamespaceNameRule or RepositoryNameRule.
type NameRule struct {
	// MaxLen is the longest name allowed, in bytes.
	MaxLen int
	// Separators are the characters allowed between runs of letters and
	// digits.
	Separators string
	// LetterFirst requires the first character to be a letter rather
	// than a letter or a digit.
	LetterFirst bool
}

// NamespaceNameRule returns SWR's namespace (organization) name rule:
// 1–64 characters, starting with a lowercase letter, separators '.', '_'
// and '-'.
func NamespaceNameRule() NameRule {
	return NameRule{MaxLen: MaxNamespaceNameLen, Separators: "._-", LetterFirst: true}
}

// RepositoryNameRule returns SWR's repository name rule: 1–128
// characters, starting with a lowercase letter or digit, separators '.',
// '/', '_' and '-'.
func RepositoryNameRule() NameRule {
	return NameRule{MaxLen: MaxRepositoryNameLen, Separators: "./_-"}
}

// CheckNamespaceName reports why name is not a valid SWR namespace
// (organization) name, or nil when it is (NamespaceNameRule).
func CheckNamespaceName(name string) error { return NamespaceNameRule().Check(name) }

// CheckRepositoryName reports why name is not a valid SWR repository name,
// or nil when it is (RepositoryNameRule).
func CheckRepositoryName(name string) error { return RepositoryNameRule().Check(name) }

// Check reports why name breaks r, or nil when it follows it. The reason
// is worded to follow the name it is about: "must start with a lowercase
// letter".
func (r NameRule) Check(name string) error {
	if err := checkLength(name, r.MaxLen); err != nil {
		return err
	}
	switch first, last := name[0], name[len(name)-1]; {
	case r.LetterFirst && !isLower(first):
		return errors.New("must start with a lowercase letter")
	case !isLower(first) && !isDigit(first):
		return errors.New("must start with a lowercase letter or a digit")
	case !isLower(last) && !isDigit(last):
		return errors.New("must end with a lowercase letter or a digit")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		sep := strings.IndexByte(r.Separators, c) >= 0
		if !sep && !isLower(c) && !isDigit(c) {
			return fmt.Errorf("contains %q: only lowercase letters, digits and %s are allowed", runeAt(name, i), quoteEach(r.Separators))
		}
		if !sep || strings.IndexByte(r.Separators, name[i-1]) < 0 {
			continue // the first character is no separator: name[i-1] exists
		}
		switch {
		case c != name[i-1] || c != '-' && c != '_':
			return fmt.Errorf("has separators %q touching", name[i-1:i+1])
		case c == '_' && i >= 2 && name[i-2] == '_':
			return errors.New(`has more than two "_" in a row`)
		}
	}
	return nil
}

// CheckTriggerName reports why name is not a valid SWR trigger name, or
// nil when it is: 1–64 characters, a letter, then letters, digits, '-'
// or '_' (swr-api.md §1.4).
func CheckTriggerName(name string) error {
	if err := checkLength(name, MaxTriggerNameLen); err != nil {
		return err
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isLetter(c):
		case i == 0:
			return errors.New("must start with a letter")
		case !isDigit(c) && c != '-' && c != '_':
			return fmt.Errorf("contains %q: only letters, digits, '-' and '_' are allowed", runeAt(name, i))
		}
	}
	return nil
}

// CheckTagName reports why name is not a valid image tag, or nil when it
// is: 1–128 characters of letters, digits, '_', '.' and '-', not starting
// with '.' or '-' (the OCI distribution tag grammar).
func CheckTagName(name string) error {
	if err := checkLength(name, MaxTagNameLen); err != nil {
		return err
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isLetter(c), isDigit(c), c == '_':
		case (c == '.' || c == '-') && i == 0:
			return errors.New("must start with a letter, a digit or '_'")
		case c != '.' && c != '-':
			return fmt.Errorf("contains %q: only letters, digits and '_' '.' '-' are allowed", runeAt(name, i))
		}
	}
	return nil
}

// checkLength rejects an empty name and one longer than maxLen bytes.
func checkLength(name string, maxLen int) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if len(name) > maxLen {
		return fmt.Errorf("is %d characters long, at most %d are allowed", len(name), maxLen)
	}
	return nil
}

// runeAt returns the character that starts at byte i of s, for messages.
func runeAt(s string, i int) rune {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// quoteEach quotes each character of chars: `'.' '_' '-'`.
func quoteEach(chars string) string {
	quoted := make([]string, len(chars))
	for i := range len(chars) {
		quoted[i] = fmt.Sprintf("%q", chars[i])
	}
	return strings.Join(quoted, " ")
}

func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isLetter(c byte) bool { return isLower(c) || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
