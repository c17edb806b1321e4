package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// Redacted is what a set secret prints as.
const Redacted = "[redacted]"

// Redact formats a config struct (or a pointer to one) like %+v, but
// prints every field tagged secret:"true" as [redacted] when it is set and
// as "" when it is empty. Nested structs are redacted the same way. Use it
// in the String method of function config structs.
func Redact(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "<nil>"
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return fmt.Sprintf("%v", v)
	}
	var b strings.Builder
	writeStruct(&b, rv)
	return b.String()
}

func writeStruct(b *strings.Builder, rv reflect.Value) {
	rt := rv.Type()
	b.WriteString(rt.String())
	b.WriteByte('{')
	first := true
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(f.Name)
		b.WriteByte(':')
		fv := rv.Field(i)
		switch {
		case f.Tag.Get("secret") == "true":
			if fv.IsZero() {
				b.WriteString(`""`)
			} else {
				b.WriteString(Redacted)
			}
		case f.Tag.Get("url") == "true" && fv.Kind() == reflect.String && fv.String() != "":
			fmt.Fprintf(b, "%q", redact.URL(fv.String()))
		case fv.Kind() == reflect.Struct:
			writeStruct(b, fv)
		case fv.Kind() == reflect.String:
			fmt.Fprintf(b, "%q", fv.String())
		default:
			fmt.Fprintf(b, "%v", fv.Interface())
		}
	}
	b.WriteByte('}')
}

// formatRedacted writes s for any verb; %q quotes it.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}
