package directory

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary files to the parser: it must never panic, and
// every directory it accepts must hold a guard that is finite and in
// range.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	invalid, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, file := range append(files, invalid...) {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	const team = "teams:\n  - name: a\n    members: [{id: u1, name: alice}]\n    namespaces: {ns: read}\n"
	for _, v := range []string{".nan", ".inf", "-.inf", "-0.1", "1.5", "1e309", "0", "1", "-1"} {
		f.Add([]byte(team + "guard: {max_removal_fraction: " + v + ", max_removals: " + v + "}\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if g := d.Guard; !(g.MaxRemovalFraction >= 0 && g.MaxRemovalFraction <= 1) || g.MaxRemovals < 0 {
			t.Fatalf("guard %+v accepted", g)
		}
	})
}
