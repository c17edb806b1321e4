package policy

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// Protect regular expressions are sent to SWR, whose regexp dialect and
// anchoring no document pins down (RE2, Java or PCRE; matched anywhere in
// a tag or against all of it). So that a protect entry means one thing
// wherever it is executed:
//   - it is written in a portable subset of the syntax (checkPortable);
//   - it is matched against the whole tag, and must be written so that it
//     means the same when matched anywhere in the tag: bound at each end
//     by ^ or $, or by .* (boundSpelling);
//   - it is sent to SWR as ^(?:…)$ (emittedPattern), unless it already
//     is a ^…$ concatenation.

// checkPortable returns "" when expr uses only constructs that RE2, Java
// and PCRE read alike, and else what is wrong with the first one that is
// not.
func checkPortable(expr string) string {
	inClass, quantified := false, false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		at := fmt.Sprintf("%q at offset %d", expr[i:i+1], i)
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("character at offset %d: only printable ASCII is portable", i)
		}
		wasQuantified := quantified
		quantified = false
		if c == '\\' {
			if i+1 >= len(expr) {
				return "a trailing backslash escapes nothing"
			}
			i++
			e := expr[i]
			if !strings.ContainsRune("dDwWsS", rune(e)) && (isAlnum(e) || e <= ' ') {
				return fmt.Sprintf("escape \\%c at offset %d is not portable: use \\d \\w \\s, their negations, or a backslash before punctuation", e, i-1)
			}
			continue
		}
		if inClass {
			switch {
			case c == ']':
				inClass = false
			case c == '[':
				return at + ": a [ inside a class nests a class in Java; escape it as \\["
			case c == '&' && i+1 < len(expr) && expr[i+1] == '&':
				return at + ": && inside a class is an intersection in Java; escape it as \\&\\&"
			}
			continue
		}
		switch c {
		case '(':
			if strings.HasPrefix(expr[i:], "(?") && !strings.HasPrefix(expr[i:], "(?:") {
				return at + ": only (…) and (?:…) groups are portable (no flags, named groups or lookaround)"
			}
		case '[':
			inClass = true
			if strings.HasPrefix(expr[i:], "[^") {
				i++
			}
			switch {
			case strings.HasPrefix(expr[i+1:], "]"):
				return at + ": a ] first in a class is read differently; escape it as \\]"
			case strings.HasPrefix(expr[i+1:], "[:"):
				return at + ": POSIX classes such as [[:alpha:]] are not portable"
			}
		case ']', '}':
			return at + ": escape a literal " + string(c) + " as \\" + string(c)
		case '{':
			end := strings.IndexByte(expr[i:], '}')
			if end < 0 || !isRepeatCount(expr[i+1:i+end]) {
				return at + ": a { that does not start {n}, {n,} or {n,m} must be escaped as \\{"
			}
			i += end
			quantified = true
		case '*', '+', '?':
			if wasQuantified && c == '+' {
				return at + ": possessive quantifiers (*+, ++, ?+) are not portable"
			}
			quantified = c != '?' || !wasQuantified
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isRepeatCount reports whether s is "n", "n," or "n,m" in decimal.
func isRepeatCount(s string) bool {
	lo, hi, comma := strings.Cut(s, ",")
	digits := func(v string) bool { return v != "" && strings.Trim(v, "0123456789") == "" }
	return digits(lo) && (!comma || hi == "" || digits(hi))
}

// boundSpelling reports whether expr, a valid regular expression, means
// the same matched against a whole tag as matched anywhere in it, by a
// sufficient rule: each end is bound by ^ (or $) or by .*. When it is not,
// spelling is the expression that, matched against the whole tag, means
// what expr means matched anywhere in it.
func boundSpelling(expr string) (spelling string, bound bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return expr, true // not ours to judge: the compile error says it
	}
	left, right := boundAt(re, true), boundAt(re, false)
	if left && right {
		return expr, true
	}
	spelling = expr
	if hasTopLevelAlternation(expr) {
		spelling = "(?:" + expr + ")"
	}
	if !left {
		spelling = ".*" + spelling
	}
	if !right {
		spelling += ".*"
	}
	return spelling, false
}

// boundAt reports whether re is bound at its start (left) or its end.
func boundAt(re *syntax.Regexp, left bool) bool {
	switch re.Op {
	case syntax.OpBeginText, syntax.OpBeginLine:
		return left
	case syntax.OpEndText, syntax.OpEndLine:
		return !left
	case syntax.OpStar:
		return re.Sub[0].Op == syntax.OpAnyCharNotNL || re.Sub[0].Op == syntax.OpAnyChar
	case syntax.OpCapture:
		return boundAt(re.Sub[0], left)
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return false
		}
		if left {
			return boundAt(re.Sub[0], true)
		}
		return boundAt(re.Sub[len(re.Sub)-1], false)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !boundAt(s, left) {
				return false
			}
		}
		return len(re.Sub) > 0
	}
	return false
}

// hasTopLevelAlternation reports whether expr has a | outside any group
// or class.
func hasTopLevelAlternation(expr string) bool {
	depth, inClass := 0, false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			return true
		}
	}
	return false
}

// emittedPattern is the regexp selector sent to SWR for a bound protect
// expression: ^(?:expr)$, which means the same under either anchoring,
// or expr itself when it already is ^…$ with no top-level alternation.
func emittedPattern(expr string) string {
	if strings.HasPrefix(expr, "^") && strings.HasSuffix(expr, "$") && !strings.HasSuffix(expr, `\$`) && !hasTopLevelAlternation(expr) {
		return expr
	}
	return "^(?:" + expr + ")$"
}
