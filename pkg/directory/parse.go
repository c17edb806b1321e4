package directory

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// ErrEmpty is returned by Validate for a well-formed directory that grants
// nobody anything.
var ErrEmpty = errors.New("the directory grants nobody anything: no team has both members and namespaces or repositories")

// Parse parses and validates a team directory file; filename is used only
// in messages. Every problem is reported, in file order, in an ErrorList
// whose entries read "file:line:column: message".
//
// The returned Directory is never nil. When err is non-nil it holds only the
// entries that validated; such a Directory may be used to add access but
// never to remove it. An empty file, or one without teams, parses without
// error into a Directory whose Empty method reports true.
func Parse(data []byte, filename string) (*Directory, error) {
	p := &parser{
		Decoder: yamlfile.Decoder{File: filename},
		d:       &Directory{File: filename, Guard: Guard{MaxRemovals: DefaultMaxRemovals, MaxRemovalFraction: DefaultMaxRemovalFraction}},
		byID:    map[string]seenMember{},
		byName:  map[string]seenMember{},
	}
	p.parse(data)
	errs := make(ErrorList, len(p.Errs))
	for i, e := range p.Errs {
		errs[i] = &Error{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}
	}
	errs.sortByPosition()
	return p.d, errs.Err()
}

// Validate parses data like Parse and also rejects a directory that grants
// nobody anything (the error wraps ErrEmpty).
func Validate(data []byte, filename string) error {
	d, err := Parse(data, filename)
	if err != nil {
		return err
	}
	if d.Empty() {
		return fmt.Errorf("%s: %w", filename, ErrEmpty)
	}
	return nil
}

type parser struct {
	yamlfile.Decoder
	d      *Directory
	byID   map[string]seenMember // member id → first name seen for it
	byName map[string]seenMember // member name → first id seen for it
}

type seenMember struct {
	other     string // the name (in byID) or id (in byName)
	line, col int
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) { p.Errorf(n, format, args...) }

func (p *parser) parse(data []byte) {
	p.checkFinalNewline(data)
	doc, next, err := yamlfile.Decode(data)
	if next != nil {
		p.errorf(next, "a second YAML document starts here; a directory file holds exactly one")
	}
	if err != nil {
		p.syntaxError(err)
	}
	if doc == nil {
		return
	}
	root := yamlfile.Resolve(doc)
	if yamlfile.IsNull(root) {
		return
	}
	p.checkManagedLast(root)
	p.Fields(root, "the top level", []string{"teams", "keep", "guard", "create_missing_namespaces", "managed_namespaces"}, func(key, value *yaml.Node) {
		switch key.Value {
		case "teams":
			p.teams(value)
		case "managed_namespaces":
			p.managedNamespaces(value)
		case "keep":
			p.d.Keep = p.members(value, "keep", nil)
		case "guard":
			p.guard(value)
		case "create_missing_namespaces":
			if b, ok := p.boolean(value, "create_missing_namespaces"); ok {
				p.d.CreateMissingNamespaces = b
			}
		}
	})
}

// checkFinalNewline rejects a non-empty file whose last line has no
// newline: a file cut short in transfer usually ends mid-line.
func (p *parser) checkFinalNewline(data []byte) {
	if len(data) == 0 || data[len(data)-1] == '\n' {
		return
	}
	last := data[bytes.LastIndexByte(data, '\n')+1:]
	p.Errs = append(p.Errs, yamlfile.Error{
		File:   p.File,
		Line:   bytes.Count(data, []byte("\n")) + 1,
		Column: utf8.RuneCount(last) + 1,
		Msg:    "the file does not end with a newline; it may have been cut short",
	})
}

// checkManagedLast requires managed_namespaces to be the last top-level key.
// A file cut short then either loses managed namespaces, and so removes
// less, or keeps every team, keep entry and guard that precede them.
func (p *parser) checkManagedLast(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+2 < len(root.Content); i += 2 {
		if key := yamlfile.Resolve(root.Content[i]); key.Value == "managed_namespaces" {
			next := yamlfile.Resolve(root.Content[i+2])
			p.errorf(next, "%q follows managed_namespaces, which must be the last key so that a file cut short never removes access", next.Value)
			return
		}
	}
}

// syntaxError records a YAML syntax error, with the line the parser names.
func (p *parser) syntaxError(err error) {
	p.Errs = append(p.Errs, yamlfile.SyntaxError(p.File, err))
}

func (p *parser) teams(n *yaml.Node) {
	seen := map[string]*yaml.Node{}
	p.Sequence(n, "teams", func(item *yaml.Node) {
		if t, ok := p.team(item, seen); ok {
			p.d.Teams = append(p.d.Teams, t)
		}
	})
}

func (p *parser) team(n *yaml.Node, seen map[string]*yaml.Node) (Team, bool) {
	var t Team
	var nameNode *yaml.Node
	ok := p.Fields(n, "a team", []string{"name", "members", "group", "namespaces", "repositories"}, func(key, value *yaml.Node) {
		switch key.Value {
		case "name":
			if name, ok := p.Text(value, "team name"); ok {
				nameNode, t.Name = value, name
			}
		case "members":
			t.Members = p.members(value, "members", key)
		case "group":
			if g, ok := p.Text(value, "group"); ok {
				t.Group = g
			}
		case "namespaces":
			t.Namespaces = p.namespaceLevels(value)
		case "repositories":
			t.Repositories = p.repositoryLevels(value)
		}
	})
	if !ok {
		return t, false
	}
	if nameNode == nil {
		if !hasKey(n, "name") {
			p.errorf(n, "team has no name")
		}
		return t, false
	}
	if first, dup := seen[t.Name]; dup {
		p.errorf(nameNode, "team %q is already defined at line %d:%d", t.Name, first.Line, first.Column)
		return t, false
	}
	seen[t.Name] = nameNode
	// A missing or empty list is an error of its own; a list whose
	// entries were all invalid has been reported entry by entry.
	if absentOrEmpty(n, "members") && !hasKey(n, "group") {
		p.errorf(nameNode, "team %q has no members: give it members or an IAM group", t.Name)
	}
	if absentOrEmpty(n, "namespaces") && absentOrEmpty(n, "repositories") {
		p.errorf(nameNode, "team %q grants nothing: give it namespaces or repositories", t.Name)
	}
	return t, true
}

// members parses a list of {id, name}; the id may be left out, to be
// looked up in IAM by name. Inside a team (teamKey non-nil) a user may
// appear once; everywhere an id keeps one name and a name one id.
func (p *parser) members(n *yaml.Node, what string, teamKey *yaml.Node) []Member {
	var list []Member
	inList := map[string]*yaml.Node{}
	p.Sequence(n, what, func(item *yaml.Node) {
		var m Member
		var idNode, nameNode *yaml.Node
		ok := p.Fields(item, "a member", []string{"id", "name"}, func(key, value *yaml.Node) {
			switch key.Value {
			case "id":
				if id, ok := p.Text(value, "member id"); ok {
					idNode, m.ID = value, id
				}
			case "name":
				if name, ok := p.Text(value, "member name"); ok {
					nameNode, m.Name = value, name
				}
			}
		})
		if !ok {
			return
		}
		if !hasKey(item, "name") {
			p.errorf(item, "member has no name")
		}
		if nameNode == nil || (idNode == nil && hasKey(item, "id")) {
			return
		}
		key, at := "name:"+m.Name, nameNode
		if idNode != nil {
			key, at = "id:"+m.ID, idNode
		}
		if first, dup := inList[key]; dup {
			p.errorf(at, "member %q is listed twice in %s (first at line %d:%d)", at.Value, what, first.Line, first.Column)
			return
		}
		inList[key] = at
		if idNode != nil && !p.consistent(m, idNode, nameNode) {
			return
		}
		list = append(list, m)
	})
	return list
}

// consistent checks that a member id always comes with the same name and a
// name always with the same id, across teams and the keep list.
func (p *parser) consistent(m Member, idNode, nameNode *yaml.Node) bool {
	if first, ok := p.byID[m.ID]; ok && first.other != m.Name {
		p.errorf(nameNode, "member %q is named %q here but %q at line %d:%d", m.ID, m.Name, first.other, first.line, first.col)
		return false
	}
	if first, ok := p.byName[m.Name]; ok && first.other != m.ID {
		p.errorf(idNode, "member name %q has id %q here but %q at line %d:%d", m.Name, m.ID, first.other, first.line, first.col)
		return false
	}
	if _, ok := p.byID[m.ID]; !ok {
		p.byID[m.ID] = seenMember{other: m.Name, line: nameNode.Line, col: nameNode.Column}
	}
	if _, ok := p.byName[m.Name]; !ok {
		p.byName[m.Name] = seenMember{other: m.ID, line: idNode.Line, col: idNode.Column}
	}
	return true
}

func (p *parser) namespaceLevels(n *yaml.Node) map[string]Level {
	levels := map[string]Level{}
	p.Fields(n, "namespaces", nil, func(key, value *yaml.Node) {
		if err := swr.CheckNamespaceName(key.Value); err != nil {
			p.errorf(key, "namespace %q %v", key.Value, err)
			return
		}
		if l, ok := p.level(value, fmt.Sprintf("namespace %q", key.Value)); ok {
			levels[key.Value] = l
		}
	})
	return levels
}

func (p *parser) repositoryLevels(n *yaml.Node) map[string]Level {
	levels := map[string]Level{}
	p.Fields(n, "repositories", nil, func(key, value *yaml.Node) {
		ns, repo, ok := SplitRepositoryKey(key.Value)
		if !ok {
			p.errorf(key, "repository %q must be written \"namespace/repository\"", key.Value)
			return
		}
		if err := swr.CheckNamespaceName(ns); err != nil {
			p.errorf(key, "repository %q: namespace %q %v", key.Value, ns, err)
			return
		}
		if err := swr.CheckRepositoryName(repo); err != nil {
			p.errorf(key, "repository %q: name %q %v", key.Value, repo, err)
			return
		}
		if l, ok := p.level(value, fmt.Sprintf("repository %q", key.Value)); ok {
			levels[key.Value] = l
		}
	})
	return levels
}

func (p *parser) managedNamespaces(n *yaml.Node) {
	seen := map[string]*yaml.Node{}
	p.Sequence(n, "managed_namespaces", func(item *yaml.Node) {
		ns, ok := p.Text(item, "managed namespace")
		if !ok {
			return
		}
		if err := swr.CheckNamespaceName(ns); err != nil {
			p.errorf(item, "namespace %q %v", ns, err)
			return
		}
		if first, dup := seen[ns]; dup {
			p.errorf(item, "namespace %q is listed twice in managed_namespaces (first at line %d:%d)", ns, first.Line, first.Column)
			return
		}
		seen[ns] = item
		p.d.ManagedNamespaces = append(p.d.ManagedNamespaces, ns)
	})
}

func (p *parser) guard(n *yaml.Node) {
	p.Fields(n, "guard", []string{"max_removals", "max_removal_fraction"}, func(key, value *yaml.Node) {
		switch key.Value {
		case "max_removals":
			v, ok := yamlfile.Int(value)
			if !ok {
				p.errorf(value, "guard.max_removals must be a whole number, not %s", yamlfile.Describe(value))
				return
			}
			if v < 0 {
				p.errorf(value, "guard.max_removals must be 0 or more, not %d", v)
				return
			}
			p.d.Guard.MaxRemovals = v
		case "max_removal_fraction":
			v, ok, inRange := yamlfile.Fraction(yamlfile.Resolve(value))
			if !ok {
				p.errorf(value, "guard.max_removal_fraction must be a number between 0 and 1, not %s", yamlfile.Describe(value))
				return
			}
			if !inRange {
				p.errorf(value, "guard.max_removal_fraction must be between 0 and 1, not %s", value.Value)
				return
			}
			p.d.Guard.MaxRemovalFraction = v
		}
	})
}

func (p *parser) level(n *yaml.Node, what string) (Level, bool) {
	n = yamlfile.Resolve(n)
	if n.Kind == yaml.ScalarNode {
		if l, ok := ParseLevel(n.Value); ok {
			return l, true
		}
	}
	got := yamlfile.Describe(n)
	if n.Kind == yaml.ScalarNode && !yamlfile.IsNull(n) {
		got = strconv.Quote(n.Value) // as the policy's choices are quoted
	}
	p.errorf(n, "%s: level must be read, write or manage, not %s", what, got)
	return 0, false
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) { return p.Bool(n, what) }

func hasKey(n *yaml.Node, key string) bool {
	_, ok := valueOf(n, key)
	return ok
}

// absentOrEmpty reports whether key is missing from mapping n or holds a
// null, an empty list or an empty mapping.
func absentOrEmpty(n *yaml.Node, key string) bool {
	v, ok := valueOf(n, key)
	return !ok || yamlfile.IsNull(v) || ((v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) && len(v.Content) == 0)
}

func valueOf(n *yaml.Node, key string) (*yaml.Node, bool) {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := yamlfile.Resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return yamlfile.Resolve(n.Content[i+1]), true
		}
	}
	return nil, false
}
