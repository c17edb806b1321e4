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
