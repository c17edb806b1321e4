package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHelpListsCommandsAndTheEnvironment(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, dispatch(context.Background(), []string{"-h"}, &out, &errOut))
	for _, want := range []string{"demo", "sweep", "validate", "HUAWEICLOUD_SDK_AK", "SWR_ENDPOINT", "SWR_RATE_LIMIT"} {
		assert.Contains(t, errOut.String(), want)
	}
	assert.Equal(t, 2, dispatch(context.Background(), []string{"nope"}, &out, &errOut), "an unknown command is a usage error")
}
