package yamlfile_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

func TestErrorLeavesOutWhatIsUnknown(t *testing.T) {
	for want, e := range map[string]yamlfile.Error{
		"f.yaml:3:7: bad": {File: "f.yaml", Line: 3, Column: 7, Msg: "bad"},
		"f.yaml:3: bad":   {File: "f.yaml", Line: 3, Msg: "bad"},
		"f.yaml: bad":     {File: "f.yaml", Column: 7, Msg: "bad"},
		"3:7: bad":        {Line: 3, Column: 7, Msg: "bad"},
		"bad":             {Msg: "bad"},
	} {
		assert.Equal(t, want, e.Error())
	}
}

func TestJoinAndSortByPosition(t *testing.T) {
	list := []yamlfile.Error{
		{Line: 4, Column: 2, Msg: "d"},
		{Line: 2, Column: 9, Msg: "b"},
		{Line: 2, Column: 1, Msg: "a"},
		{Line: 4, Column: 2, Msg: "e"},
		{Line: 0, Msg: "syntax"},
	}
	yamlfile.SortByPosition(list, func(e yamlfile.Error) (int, int) { return e.Line, e.Column })
	assert.Equal(t, "syntax\n2:1: a\n2:9: b\n4:2: d\n4:2: e", yamlfile.Join(list), "by line, column, then as found")
	assert.Empty(t, yamlfile.Join([]yamlfile.Error{}))
}

func TestSyntaxErrorTakesTheLine(t *testing.T) {
	_, _, err := yamlfile.Decode([]byte("a: 1\nb: [2\n"))
	require.Error(t, err)
	e := yamlfile.SyntaxError("f.yaml", err)
	assert.Equal(t, "f.yaml", e.File)
	assert.Positive(t, e.Line)
	assert.Zero(t, e.Column)
	assert.Regexp(t, `^invalid YAML: [^0-9]`, e.Msg, "the line moves out of the message")

	for in, want := range map[string]yamlfile.Error{
		"yaml: line 12: did not find expected key": {File: "f", Line: 12, Msg: "invalid YAML: did not find expected key"},
		"yaml: control characters are not allowed": {File: "f", Msg: "invalid YAML: control characters are not allowed"},
		"yaml: line x: odd":                        {File: "f", Msg: "invalid YAML: line x: odd"},
	} {
		assert.Equal(t, want, yamlfile.SyntaxError("f", errors.New(in)), in)
	}
}
