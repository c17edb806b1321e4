package samtemplate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/samtemplate"
)

// The targets file and the secrets it names are parameters; every
// function reads the file and may read exactly those secrets, through the
// extension layer, only when they are given.
func TestTemplateTakesTheTargetsFileAndTheirSecrets(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, name := range []string{"TargetsLocation", "TargetSecretArns", "SecretsExtensionLayerArn"} {
		p, ok := tmpl.Parameters[name]
		require.True(t, ok, "parameter %s", name)
		def, _ := samtemplate.Scalar(p, "Default")
		assert.Empty(t, def, "%s is optional: without it the deployment governs one registry as before", name)
	}
	typ, _ := samtemplate.Scalar(tmpl.Parameters["TargetSecretArns"], "Type")
	assert.Equal(t, "CommaDelimitedList", typ)

	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			props := tmpl.Functions[fn.id].Properties
			v := samtemplate.Lookup(props, "Environment", "Variables", "AUTOPILOT_TARGETS")
			require.NotNil(t, v)
			assert.Equal(t, []string{"TargetsLocation"}, references(v))
			assert.Contains(t, references(samtemplate.Lookup(props, "Layers")), "SecretsExtensionLayerArn")

			var sids []string
			for _, p := range samtemplate.Lookup(props, "Policies").Content {
				name, arg, ok := samtemplate.Intrinsic(p)
				if !ok || name != "Fn::If" {
					continue
				}
				cond := arg.Content[0].Value
				for _, st := range seqOrOne(samtemplate.Lookup(arg.Content[1], "Statement")) {
					sid, _ := samtemplate.Scalar(st, "Sid")
					sids = append(sids, cond+":"+sid)
				}
			}
			assert.ElementsMatch(t, []string{"HasTargets:ReadTargets", "HasTargetSecrets:ReadTargetSecrets"}, sids,
				"the grants exist only when their parameter is given")
		})
	}
}
