package policy

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

// decoder walks a YAML node tree and collects every problem it meets,
// with the checks it shares with the team directory's parser.
type decoder struct {
	yamlfile.Decoder
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) { d.Errorf(n, format, args...) }

// mapping checks that n is a mapping whose keys are all in allowed and
// appear once (yamlfile.Decoder.Mapping). what names the mapping in
// messages ("retention rule").
func (d *decoder) mapping(n *yaml.Node, what string, allowed ...string) (yamlfile.Mapping, bool) {
	return d.Mapping(n, what, allowed)
}

func (d *decoder) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	return d.List(n, what)
}

func (d *decoder) str(n *yaml.Node, what string) (string, bool) { return d.String(n, what) }

// scalar reads n with read and reports "what must be want, not …" when n
// holds no such value.
func scalar[T any](d *decoder, n *yaml.Node, what, want string, read func(*yaml.Node) (T, bool)) (T, bool) {
	n = yamlfile.Resolve(n)
	v, ok := read(n)
	if !ok {
		d.errorf(n, "%s must be %s, not %s", what, want, yamlfile.Describe(n))
	}
	return v, ok
}

func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	return scalar(d, n, what, "an integer", yamlfile.Int)
}

func (d *decoder) intRange(n *yaml.Node, what string, lo, hi int) (int, bool) {
	v, ok := d.integer(n, what)
	if ok && (v < lo || v > hi) {
		d.errorf(yamlfile.Resolve(n), "%s must be between %d and %d, not %d", what, lo, hi, v)
		return 0, false
	}
	return v, ok
}

// fraction reads a number from 0 to 1; NaN, ±Inf and values outside the
// range are errors, quoted as written.
func (d *decoder) fraction(n *yaml.Node, what string) (float64, bool) {
	n = yamlfile.Resolve(n)
	v, ok, inRange := yamlfile.Fraction(n)
	switch {
	case !ok:
		d.errorf(n, "%s must be a number, not %s", what, yamlfile.Describe(n))
	case !inRange:
		d.errorf(n, "%s must be between 0 and 1, not %s", what, n.Value)
	}
	return v, ok && inRange
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) { return d.Bool(n, what) }

// oneOf returns a string that must be one of choices.
func (d *decoder) oneOf(n *yaml.Node, what string, choices ...string) (string, bool) {
	v, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(choices, v) {
		d.errorf(yamlfile.Resolve(n), "%s must be %s, not %q", what, orList(choices), v)
		return "", false
	}
	return v, true
}

func (d *decoder) glob(n *yaml.Node, what string) (Glob, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return Glob{}, false
	}
	g, err := ParseGlob(s)
	if err != nil {
		d.errorf(yamlfile.Resolve(n), "%s: %v", what, err)
		return Glob{}, false
	}
	return g, true
}

func (d *decoder) globs(n *yaml.Node, what string) []Glob {
	items, _ := d.sequence(n, what)
	out := make([]Glob, 0, len(items))
	for _, it := range items {
		if g, ok := d.glob(it, what+" entry"); ok {
			out = append(out, g)
		}
	}
	return out
}

func orList(choices []string) string {
	if len(choices) == 1 {
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}
