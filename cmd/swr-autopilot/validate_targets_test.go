package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateTargetsFile(t *testing.T) {
	good := writeFile(t, "targets.yaml", "targets:\n  - name: primary\n    region: cn-north-4\n    credentials: {env: PROD_}\n  - name: dr\n    region: cn-east-3\n")
	code, out, errOut := validate("-kind", "targets", good)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, good+": ok\n", out)

	bad := writeFile(t, "targets.yaml", "targets:\n  - name: primary\n    region: cn-north-4\n    credentials:\n      ak: HPUAXYZ1234567890ABC\n")
	code, out, errOut = validate("-kind", "targets", bad)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, bad+":5:7: credentials must not hold a secret (ak): name an environment prefix (env) or a Secrets Manager secret (secret) instead\n", errOut)
	assert.NotContains(t, errOut, "HPUAXYZ1234567890ABC")
}

func TestValidateTellsATargetsFileAndChecksThePolicysTargets(t *testing.T) {
	tf := writeFile(t, "targets.yaml", "targets:\n  - {name: primary, region: cn-north-4}\n")
	pol := writeFile(t, "policy.yaml", "retention:\n  - match: \"dr:**\"\n    keep_last: 5\n")
	code, out, errOut := validate(tf)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, tf+": ok\n", out, "told from its keys")

	code, _, errOut = validate(pol, tf)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, pol+`: the policy scopes rules to target "dr", which `+tf+` does not list (targets: [primary])`)
}
