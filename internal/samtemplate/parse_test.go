package samtemplate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/samtemplate"
)

func TestParseMergesGlobalsLikeSAM(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 60
    Layers: [global-layer]
    Environment:
      Variables:
        SHARED: global
        OVERRIDDEN: global
        FROM_REF: !Ref Param
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      Timeout: 900
      Layers: [own-layer]
      Environment:
        Variables:
          OVERRIDDEN: !Sub "${Param}-own"
          OWN: own
  Queue:
    Type: AWS::SQS::Queue
`))
	require.NoError(t, err)
	require.Equal(t, []string{"Fn"}, tmpl.FunctionIDs())
	assert.Equal(t, "AWS::SQS::Queue", tmpl.Resources["Queue"].Type)

	fn := tmpl.Functions["Fn"]
	runtime, _ := samtemplate.Scalar(fn.Properties, "Runtime")
	assert.Equal(t, "provided.al2023", runtime, "global scalars apply")
	timeout, _ := samtemplate.Scalar(fn.Properties, "Timeout")
	assert.Equal(t, "900", timeout, "the function's scalars win")
	assert.Equal(t, []string{"global-layer", "own-layer"}, samtemplate.Strings(fn.Properties, "Layers"), "lists concatenate, globals first")
	assert.ElementsMatch(t, []string{"SHARED", "OVERRIDDEN", "FROM_REF", "OWN"}, samtemplate.Keys(fn.Properties, "Environment", "Variables"))

	overridden := samtemplate.Lookup(fn.Properties, "Environment", "Variables", "OVERRIDDEN")
	name, arg, ok := samtemplate.Intrinsic(overridden)
	require.True(t, ok, "an intrinsic function replaces the global value whole")
	assert.Equal(t, "Fn::Sub", name)
	assert.Equal(t, "${Param}-own", arg.Value)
	_, plain := samtemplate.Scalar(fn.Properties, "Environment", "Variables", "FROM_REF")
	assert.False(t, plain, "!Ref is not a plain scalar")

	method, _ := samtemplate.Scalar(fn.Metadata, "BuildMethod")
	assert.Equal(t, "makefile", method)
}

func TestIntrinsicAcceptsBothForms(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      A: !GetAtt Queue.Arn
      B: {"Fn::GetAtt": [Queue, Arn]}
      C: {Ref: Param}
      D: plain
`))
	require.NoError(t, err)
	props := tmpl.Functions["Fn"].Properties
	for key, want := range map[string]string{"A": "Fn::GetAtt", "B": "Fn::GetAtt", "C": "Ref"} {
		name, _, ok := samtemplate.Intrinsic(samtemplate.Lookup(props, key))
		assert.True(t, ok, key)
		assert.Equal(t, want, name, key)
	}
	_, _, ok := samtemplate.Intrinsic(samtemplate.Lookup(props, "D"))
	assert.False(t, ok)
}

func TestParseRejectsMalformedTemplates(t *testing.T) {
	for name, doc := range map[string]string{
		"not a mapping":  "- a\n- b\n",
		"no resources":   "Transform: x\n",
		"typeless":       "Resources:\n  Fn:\n    Properties: {}\n",
		"invalid syntax": "Resources: [\n",
	} {
		_, err := samtemplate.Parse([]byte(doc))
		assert.Error(t, err, name)
	}
	_, err := samtemplate.Parse([]byte("Resources:\n  Fn:\n    Properties: {}\n"))
	assert.ErrorContains(t, err, "line 2: resource Fn has no Type")
}
