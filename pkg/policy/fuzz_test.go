package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary files to the parser: it must never panic, and
// every policy it accepts must hold guards that are finite and in range,
// at the top level and in every rule.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	invalid, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, file := range append(files, invalid...) {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, v := range []string{".nan", ".inf", "-.inf", "-0.1", "1.5", "1e309", "0x1p-2", "1", "0"} {
		f.Add([]byte("guard:\n  max_delete_fraction: " + v + "\nretention:\n  - match: \"**\"\n    keep_last: 1\n    guard: {max_delete_fraction: " + v + ", max_delete_tags: " + v + "}\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		checkGuard(t, "guard", p.Guard)
		for _, r := range p.Retention {
			checkGuard(t, "rule guard", r.Guard)
		}
	})
}

func checkGuard(t *testing.T, what string, g Guard) {
	t.Helper()
	if !(g.MaxDeleteFraction >= 0 && g.MaxDeleteFraction <= 1) {
		t.Fatalf("%s: max_delete_fraction %v accepted", what, g.MaxDeleteFraction)
	}
	if !(g.MaxDeleteTags >= 0 && g.MaxDeleteTags <= 1_000_000) {
		t.Fatalf("%s: max_delete_tags %d accepted", what, g.MaxDeleteTags)
	}
}
