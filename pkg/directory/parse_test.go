package directory

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestParseExample(t *testing.T) {
	d, err := Parse(readTestdata(t, "example.yaml"), "example.yaml")
	require.NoError(t, err)
	require.False(t, d.Empty())

	require.Len(t, d.Teams, 3)
	payments := d.Teams[0]
	assert.Equal(t, "payments", payments.Name)
	assert.Equal(t, []Member{
		{ID: "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", Name: "alice"},
		{ID: "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f", Name: "bob"},
	}, payments.Members)
	assert.Equal(t, map[string]Level{"payments": Manage, "shared": Read}, payments.Namespaces)
	assert.Equal(t, map[string]Level{"shared/base-images": Write}, payments.Repositories)

	platform := d.Teams[1]
	assert.Equal(t, "platform", platform.Name)
	assert.Equal(t, map[string]Level{"shared": Manage, "tools": Write}, platform.Namespaces)
	assert.Empty(t, platform.Repositories)

	auditors := d.Teams[2]
	assert.Empty(t, auditors.Namespaces)
	assert.Equal(t, map[string]Level{"payments/ledger-api": Read, "tools/ci/runner": Read}, auditors.Repositories)

	assert.Equal(t, []string{"payments", "shared"}, d.ManagedNamespaces)
	assert.Equal(t, []Member{{ID: "4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", Name: "breakglass"}}, d.Keep)
	assert.Equal(t, Guard{MaxRemovals: 10, MaxRemovalFraction: 0.3}, d.Guard)
	assert.False(t, d.CreateMissingNamespaces)
	assert.Equal(t, []string{"payments", "shared", "tools"}, d.Namespaces())
}

// TestParseInvalidFiles parses every file in testdata/invalid and expects
// exactly the problems its "# want: line:col: message" comments list.
func TestParseInvalidFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15)
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var want []string
			for _, line := range strings.Split(string(data), "\n") {
				if msg, ok := strings.CutPrefix(line, "# want: "); ok {
					want = append(want, name+":"+msg)
				}
			}
			require.NotEmpty(t, want, "the file lists no expected problem")

			d, err := Parse(data, name)
			require.Error(t, err)
			require.NotNil(t, d)
			var list ErrorList
			require.True(t, errors.As(err, &list))
			got := make([]string, len(list))
			for i, e := range list {
				got[i] = e.Error()
				assert.Positive(t, e.Line, "every problem has a line: %s", e)
				if !strings.HasPrefix(e.Msg, "invalid YAML") {
					assert.Positive(t, e.Column, "every validation problem has a column: %s", e)
				}
			}
			assert.Equal(t, want, got)
			assert.Equal(t, strings.Join(want, "\n"), err.Error())
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for name, text := range map[string]string{
		"empty file":          "",
		"only comments":       "# nothing here yet\n",
		"null document":       "~\n",
		"teams null":          "teams:\n",
		"teams empty":         "teams: []\n",
		"no teams":            "keep: [{id: u9, name: breakglass}]\nmanaged_namespaces: [payments]\n",
		"team without grants": "teams:\n  - name: payments\n    members: [{id: u1, name: alice}]\n    namespaces: {}\n    repositories: {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse([]byte(text), "dir.yaml")
			if name == "team without grants" {
				require.Error(t, err) // a team must grant something
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, d)
			assert.True(t, d.Empty())
			assert.Equal(t, Guard{MaxRemovals: DefaultMaxRemovals, MaxRemovalFraction: DefaultMaxRemovalFraction}, d.Guard)

			verr := Validate([]byte(text), "dir.yaml")
			require.Error(t, verr)
			if err == nil {
				assert.ErrorIs(t, verr, ErrEmpty)
			}
		})
	}
	assert.True(t, (*Directory)(nil).Empty())
}

// TestParseTruncated cuts the example at every byte. Each prefix must fail
// validation, be empty, or be unable to remove more than the whole file:
// its managed namespaces are a subset of the whole file's, and when it has
// any, every team, keep entry and guard is complete.
func TestParseTruncated(t *testing.T) {
	data := readTestdata(t, "example.yaml")
	full, err := Parse(data, "example.yaml")
	require.NoError(t, err)

	var accepted, refused int
	for cut := 0; cut < len(data); cut++ {
		d, err := Parse(data[:cut], "example.yaml")
		require.NotNil(t, d)
		if err != nil || d.Empty() {
			refused++
			continue
		}
		accepted++
		assert.Subset(t, full.ManagedNamespaces, d.ManagedNamespaces, "cut at byte %d", cut)
		if len(d.ManagedNamespaces) > 0 {
			assert.Equal(t, full.Teams, d.Teams, "cut at byte %d", cut)
			assert.Equal(t, full.Keep, d.Keep, "cut at byte %d", cut)
			assert.Equal(t, full.Guard, d.Guard, "cut at byte %d", cut)
		}
	}
	assert.Positive(t, accepted, "some cuts fall on a clean line boundary")
	assert.Positive(t, refused)
}

func TestParseMissingFinalNewline(t *testing.T) {
	data := "teams:\n  - name: payments\n    members: [{id: u1, name: alice}]\n    namespaces: {payments: read}\nmanaged_namespaces:\n  - payments\n  - sh"
	d, err := Parse([]byte(data), "dir.yaml")
	require.EqualError(t, err, "dir.yaml:7:7: the file does not end with a newline; it may have been cut short")
	assert.Equal(t, []string{"payments", "sh"}, d.ManagedNamespaces, "the partial directory still holds what validated")
}

func TestParsePartialDirectoryOnError(t *testing.T) {
	data := []byte(`teams:
  - name: payments
    members: [{id: u1, name: alice}]
    namespaces: {payments: manage, shared: admin}
  - name: platform
    members: [{id: u2, name: bob}, {id: "", name: carol}]
    namespaces: {tools: write}
`)
	d, err := Parse(data, "dir.yaml")
	require.EqualError(t, err, "dir.yaml:4:44: namespace \"shared\": level must be read, write or manage, not \"admin\"\n"+
		"dir.yaml:6:41: member id must not be empty")
	require.Len(t, d.Teams, 2)
	assert.Equal(t, map[string]Level{"payments": Manage}, d.Teams[0].Namespaces)
	assert.Equal(t, []Member{{ID: "u2", Name: "bob"}}, d.Teams[1].Members)
}

func TestParseAliases(t *testing.T) {
	data := []byte(`teams:
  - name: payments
    members: &payers
      - {id: u1, name: alice}
    namespaces: {payments: manage}
  - name: payments-readers
    members: *payers
    namespaces: {shared: read}
`)
	d, err := Parse(data, "dir.yaml")
	require.NoError(t, err)
	require.Len(t, d.Teams, 2)
	assert.Equal(t, d.Teams[0].Members, d.Teams[1].Members)
}

func TestParseGuardAndFlags(t *testing.T) {
	base := "teams:\n  - name: t\n    members: [{id: u1, name: alice}]\n    namespaces: {ns: read}\n"
	for name, tc := range map[string]struct {
		text   string
		guard  Guard
		create bool
	}{
		"defaults":          {"", Guard{DefaultMaxRemovals, DefaultMaxRemovalFraction}, false},
		"zero caps":         {"guard: {max_removals: 0, max_removal_fraction: 0}\n", Guard{0, 0}, false},
		"integer fraction":  {"guard: {max_removal_fraction: 1}\n", Guard{DefaultMaxRemovals, 1}, false},
		"only count":        {"guard:\n  max_removals: 25\n", Guard{25, DefaultMaxRemovalFraction}, false},
		"create namespaces": {"create_missing_namespaces: true\n", Guard{DefaultMaxRemovals, DefaultMaxRemovalFraction}, true},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse([]byte(base+tc.text), "dir.yaml")
			require.NoError(t, err)
			assert.Equal(t, tc.guard, d.Guard)
			assert.Equal(t, tc.create, d.CreateMissingNamespaces)
		})
	}
}

func TestErrorFormat(t *testing.T) {
	assert.Equal(t, "f.yaml:3:7: bad", (&Error{File: "f.yaml", Line: 3, Column: 7, Msg: "bad"}).Error())
	assert.Equal(t, "f.yaml:3: bad", (&Error{File: "f.yaml", Line: 3, Msg: "bad"}).Error())
	assert.Equal(t, "<input>: bad", (&Error{Msg: "bad"}).Error())
	assert.NoError(t, ErrorList(nil).Err())
}

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("teams:\n")
	const teams, members = 200, 20
	for i := range teams {
		buf.WriteString("  - name: team-" + strconv.Itoa(i) + "\n    members:\n")
		for j := range members {
			buf.WriteString("      - {id: u" + strconv.Itoa(i*members+j) + ", name: user-" + strconv.Itoa(i*members+j) + "}\n")
		}
		buf.WriteString("    namespaces: {ns" + strconv.Itoa(i%50) + ": write, shared: read}\n")
		buf.WriteString("    repositories: {\"shared/img-" + strconv.Itoa(i) + "\": manage}\n")
	}
	buf.WriteString("managed_namespaces: [shared]\n")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "bench.yaml"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(teams*members), "members/op")
}

// TestReadmeExample keeps the README's example in step with
// testdata/example.yaml.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	fromReadme, err := Parse([]byte(block), "README.md")
	require.NoError(t, err)
	fromFile, err := Parse(readTestdata(t, "example.yaml"), "example.yaml")
	require.NoError(t, err)
	fromReadme.File = fromFile.File
	assert.Equal(t, fromFile, fromReadme)
	assert.NoError(t, Validate(readTestdata(t, "example.yaml"), "example.yaml"))
}

func TestParseMembersByNameAndGroups(t *testing.T) {
	d, err := Parse([]byte(`teams:
  - name: payments
    members:
      - {name: alice}
      - {id: u-bob, name: bob}
    namespaces: {payments: write}
  - name: platform
    group: platform-engineers
    namespaces: {tools: manage}
  - name: mixed
    group: auditors
    members: [{name: alice}]
    repositories: {payments/ledger: read}
keep: [{name: breakglass}]
managed_namespaces: [payments]
`), "dir.yaml")
	require.NoError(t, err)
	require.False(t, d.Empty())
	assert.Equal(t, []Member{{Name: "alice"}, {ID: "u-bob", Name: "bob"}}, d.Teams[0].Members)
	assert.Equal(t, "platform-engineers", d.Teams[1].Group)
	assert.Empty(t, d.Teams[1].Members)
	assert.Equal(t, "auditors", d.Teams[2].Group)
	assert.True(t, d.Kept("", "breakglass"))

	onlyGroup := &Directory{Teams: []Team{{Name: "g", Group: "devs", Namespaces: map[string]Level{"a": Read}}}}
	assert.False(t, onlyGroup.Empty(), "a group team grants its members")

	_, err = Parse([]byte(`teams:
  - name: payments
    members: [{name: alice}, {name: alice}, {id: u1}]
    group: ""
    namespaces: {payments: write}
`), "dir.yaml")
	require.Error(t, err)
	assert.Equal(t, `dir.yaml:3:37: member "alice" is listed twice in members (first at line 3:22)
dir.yaml:3:45: member has no name
dir.yaml:4:12: group must not be empty`, err.Error())
}
