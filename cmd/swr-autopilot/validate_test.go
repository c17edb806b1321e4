package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

const goodPolicy = `mode: enforce
retention:
  - match: "prod/**"
    keep_days: 90
  - match: "**"
    keep_last: 20
`

const badPolicy = `mode: enforce
retention:
  - match: "prod/**"
    keep_days: 900
  - match: "**"
    keep_lsat: 20
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func validate(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), append([]string{"validate"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateGoodFile(t *testing.T) {
	path := writeFile(t, "policy.yaml", goodPolicy)
	code, out, errOut := validate(path)
	assert.Equal(t, 0, code)
	assert.Equal(t, path+": ok\n", out)
	assert.Empty(t, errOut)

	code, out, _ = validate("-kind", "policy", path)
	assert.Equal(t, 0, code)
	assert.Equal(t, path+": ok\n", out)
}

func TestValidateBadFilePrintsEveryError(t *testing.T) {
	path := writeFile(t, "policy.yaml", badPolicy)
	code, out, errOut := validate(path)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, path+":4:16: keep_days must be between 1 and 365, not 900\n"+
		path+":6:5: unknown key \"keep_lsat\" in retention rule (did you mean \"keep_last\"?)\n", errOut)
}

func TestValidateSeveralFiles(t *testing.T) {
	good := writeFile(t, "good.yaml", goodPolicy)
	bad := writeFile(t, "bad.yaml", badPolicy)
	code, out, errOut := validate(good, bad)
	assert.Equal(t, 1, code)
	assert.Equal(t, good+": ok\n", out)
	assert.Contains(t, errOut, bad+":4:16:")
}

func TestValidateMissingFile(t *testing.T) {
	code, _, errOut := validate(filepath.Join(t.TempDir(), "absent.yaml"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "policy file: fetch: open ")
	assert.Contains(t, errOut, "absent.yaml")
}

func TestValidateUsageErrors(t *testing.T) {
	code, _, errOut := validate()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no file given")
	assert.Contains(t, errOut, "usage: swr-autopilot validate")

	code, _, errOut = validate("-kind", "team", "team.yaml")
	assert.Equal(t, 2, code)
	assert.Equal(t, "validate: unknown kind \"team\" (known: directory, policy, targets)\n", errOut)

	code, _, _ = validate("-nope")
	assert.Equal(t, 2, code)

	code, _, errOut = validate("-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "-kind")
}

// validate refuses what the functions refuse: a policy or directory file
// past their size limit, however valid its content.
func TestValidateAppliesTheFunctionsSizeLimit(t *testing.T) {
	big := goodPolicy + "# " + strings.Repeat("x", int(source.DefaultMaxBytes)) + "\n"
	for _, kind := range []string{"policy", "directory"} {
		path := writeFile(t, kind+".yaml", big)
		code, out, errOut := validate("-kind", kind, path)
		assert.Equal(t, 1, code, kind)
		assert.Empty(t, out, kind)
		assert.Contains(t, errOut, "larger than the 1048576-byte limit", kind)
	}
}

func TestValidatePolicyAgainstDirectory(t *testing.T) {
	// The bundled examples: the auditor default grant of "**" applies in
	// the managed namespaces; grant sync counts it as desired there, which
	// the report notes.
	pol, dir := filepath.Join("..", "..", "examples", "policy.yaml"), filepath.Join("..", "..", "examples", "directory.yaml")
	code, out, errOut := validate(pol, dir)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, pol+": ok\n"+dir+": ok\n"+
		pol+`:51:12: note: default grants of "**" apply in managed namespaces payments, shared of `+dir+
		": grant sync counts them as desired there, keeps them and gives them to every repository\n", out)

	// A policy that names the directory's users otherwise conflicts with it.
	conflicting := writeFile(t, "policy.yaml", `version: 1
default_grants:
  - match: "tools/**"
    users:
      - {user_id: 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e, user_name: alicia, level: read}
      - {user_id: ffffffffffffffffffffffffffffffff, user_name: carol, level: read}
      - {user_id: 1234567890abcdef1234567890abcdef, user_name: auditor, level: read}
`)
	code, out, errOut = validate(conflicting, dir)
	assert.Equal(t, 1, code)
	assert.Equal(t, conflicting+": ok\n"+dir+": ok\n", out, "tools is not managed: no note")
	assert.Equal(t, conflicting+`:5:9: user_id "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e" is named "alicia" here but "alice" in `+dir+"\n"+
		conflicting+`:6:9: user_name "carol" has user_id "ffffffffffffffffffffffffffffffff" here but "2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a" in `+dir+"\n", errOut)

	// -kind applies to every file; no cross-check of two policies.
	code, _, _ = validate("-kind", "policy", pol, conflicting)
	assert.Equal(t, 0, code)
}
