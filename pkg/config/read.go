package config

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// read fills spec, a pointer to a config struct, from the environment: each
// field tagged envconfig from its variable, or from its default tag when
// the variable is unset or empty (SAM's env.json declares every variable,
// empty ones included). It returns one problem, in the project's words, for
// every variable whose value does not parse, never echoing a secret's
// value, and leaves such a field at its default so that the checks that
// follow do not report it a second time. It reads the same tags as
// envconfig, which prints the -h table from them.
func read(spec any, lookup func(string) (string, bool)) []string {
	var problems []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			f, fv := t.Field(i), v.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(fv)
				continue
			}
			name := f.Tag.Get("envconfig")
			if name == "" {
				continue
			}
			def := f.Tag.Get("default")
			if def != "" {
				if err := setField(fv, def); err != nil {
					panic(fmt.Sprintf("config: default of %s: %v", name, err)) // a programming error
				}
			}
			raw, ok := lookup(name)
			if !ok || raw == "" {
				continue
			}
			if err := setField(fv, raw); err != nil {
				shown := quoteValue(raw)
				if f.Tag.Get("secret") == "true" {
					shown = "set to a value that"
				}
				problems = append(problems, fmt.Sprintf("%s is %s, which %s", name, shown, err))
			}
		}
	}
	walk(reflect.ValueOf(spec).Elem())
	return problems
}

// readEnv is read from the process environment.
func readEnv(spec any) []string { return read(spec, os.LookupEnv) }

// setField parses raw into fv by its type; the error says what was expected.
func setField(fv reflect.Value, raw string) error {
	raw = strings.TrimSpace(raw)
	switch {
	case fv.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("is not a duration: expected a number with a unit, such as 30s, 500ms or 5m")
		}
		fv.SetInt(int64(d))
	case fv.Kind() == reflect.String:
		fv.SetString(raw)
	case fv.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("is not a boolean: expected true or false")
		}
		fv.SetBool(b)
	case fv.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("is not a whole number: expected e.g. 16")
		}
		fv.SetInt(int64(n))
	case fv.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("is not a number: expected e.g. 10 or 2.5")
		}
		fv.SetFloat(x)
	default:
		return fmt.Errorf("has a type (%s) this program cannot read", fv.Type())
	}
	return nil
}

// quoteValue shows a setting's value in a problem, shortened so that a
// huge value cannot flood the log.
func quoteValue(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

// checks collects the problems of settings that parsed but are out of
// range. Every range test is written so that NaN and ±Inf fail it.
type checks struct{ problems []string }

// add records that variable is wrong, and what is expected instead.
func (c *checks) add(variable, wrong, expected string) {
	c.problems = append(c.problems, variable+" "+wrong+": expected "+expected)
}

// addf is add with a formatted "wrong" part.
func (c *checks) addf(variable, expected, format string, args ...any) {
	c.add(variable, fmt.Sprintf(format, args...), expected)
}

// number checks that v is finite and in [lo, hi]; expected says so in
// the variable's terms.
func (c *checks) number(variable string, v, lo, hi float64, expected string) {
	if !(v >= lo && v <= hi) {
		c.addf(variable, expected, "is %v", v)
	}
}

// atLeast checks that n ≥ lo.
func (c *checks) atLeast(variable string, n, lo int) {
	if !(n >= lo) {
		c.addf(variable, fmt.Sprintf("a whole number of at least %d", lo), "is %d", n)
	}
}

// positive checks that d > 0.
func (c *checks) positive(variable string, d time.Duration) {
	if !(d > 0) {
		c.addf(variable, "a duration above 0, such as 30s", "is %v", d)
	}
}

// notNegative checks that d ≥ 0.
func (c *checks) notNegative(variable string, d time.Duration) {
	if !(d >= 0) {
		c.addf(variable, "a duration of 0 or more, such as 5m", "is %v", d)
	}
}

// maxRate bounds SWR_RATE_LIMIT: finite, and far above what SWR allows.
const maxRate = math.MaxInt32
