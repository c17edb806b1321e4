package samtemplate

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strings"
)

// Rule is one explicit target of a Makefile.
type Rule struct {
	Target  string
	Line    int
	Prereqs []string
	// Recipe holds the rule's command lines with the Makefile's own
	// variables expanded; variables it does not define (ARTIFACTS_DIR)
	// are left as written.
	Recipe []string
}

// Makefile is the subset of a Makefile this package understands: simple
// variable definitions and explicit rules.
type Makefile struct {
	Vars  map[string]string
	Rules map[string]Rule
}

var (
	makeVarDef = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(:=|\?=|=)\s*(.*)$`)
	makeRule   = regexp.MustCompile(`^([A-Za-z0-9_./%-]+(?:\s+[A-Za-z0-9_./%-]+)*)\s*:([^=].*|)$`)
	makeRef    = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
)

// LoadMakefile reads and parses the Makefile at path.
func LoadMakefile(path string) (*Makefile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMakefile(data), nil
}

// ParseMakefile parses variable definitions and explicit rules. A rule
// naming several targets is recorded under each.
func ParseMakefile(data []byte) *Makefile {
	m := &Makefile{Vars: map[string]string{}, Rules: map[string]Rule{}}
	var current []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.HasPrefix(text, "\t") {
			for _, target := range current {
				r := m.Rules[target]
				r.Recipe = append(r.Recipe, strings.TrimSpace(text))
				m.Rules[target] = r
			}
			continue
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		current = nil
		if v := makeVarDef.FindStringSubmatch(trimmed); v != nil {
			if _, set := m.Vars[v[1]]; !set || v[2] != "?=" {
				m.Vars[v[1]] = strings.TrimSpace(v[3])
			}
			continue
		}
		if r := makeRule.FindStringSubmatch(trimmed); r != nil {
			prereqs := strings.Fields(r[2])
			for _, target := range strings.Fields(r[1]) {
				if strings.HasPrefix(target, ".") {
					continue
				}
				m.Rules[target] = Rule{Target: target, Line: line, Prereqs: prereqs}
				current = append(current, target)
			}
		}
	}
	for name, r := range m.Rules {
		for i, cmd := range r.Recipe {
			r.Recipe[i] = m.Expand(cmd)
		}
		m.Rules[name] = r
	}
	return m
}

// Expand replaces $(VAR) references to the Makefile's own variables,
// recursively, leaving others as written.
func (m *Makefile) Expand(s string) string {
	for range 10 {
		next := makeRef.ReplaceAllStringFunc(s, func(ref string) string {
			name := makeRef.FindStringSubmatch(ref)[1]
			if v, ok := m.Vars[name]; ok {
				return v
			}
			return ref
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}
