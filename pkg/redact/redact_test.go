package redact_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://swr.example.com/v2":                          "https://swr.example.com/v2",
		"https://user:PW@swr.example.com/x":                   "https://redacted@swr.example.com/x",
		"https://sink.example/e?sig=TOKEN&se=1":               "https://sink.example/e?redacted",
		"https://b.s3.amazonaws.com/p.yaml?X-Amz-Signature=S": "https://b.s3.amazonaws.com/p.yaml?redacted",
		"https://h/p#frag":                                    "https://h/p",
		"https://h/p?":                                        "https://h/p?redacted",
		"s3://bucket/key":                                     "s3://bucket/key",
		"http://[::1]:namedport?x":                            "(malformed URL)",
	} {
		assert.Equal(t, want, redact.URL(in), in)
	}
}

func TestTextAndError(t *testing.T) {
	_, err := http.Get("http://u:PASSWORD1@127.0.0.1:1/x?sig=TOKEN1")
	require.Error(t, err)
	require.Contains(t, err.Error(), "TOKEN1", "the standard library quotes the URL")
	clean := redact.Error(fmt.Errorf("report sink: %w", err))
	assert.NotContains(t, clean.Error(), "TOKEN1")
	assert.NotContains(t, clean.Error(), "PASSWORD1")
	assert.Contains(t, clean.Error(), `"http://redacted@127.0.0.1:1/x?redacted"`)
	assert.Contains(t, clean.Error(), "connection refused", "the cause is kept")

	deadline := redact.Error(fmt.Errorf("post https://q?sig=T2: %w", context.DeadlineExceeded))
	assert.ErrorIs(t, deadline, context.DeadlineExceeded, "a deadline stays a deadline")
	assert.NotContains(t, deadline.Error(), "T2")

	plain := errors.New("no URL here")
	assert.Same(t, plain, redact.Error(plain))
	assert.Nil(t, redact.Error(nil))
	assert.Equal(t, `fetch "https://h/p?redacted\": x`, redact.Text(`fetch "https://h/p?sig=a\": x`))
	assert.Equal(t, "a https://h/p?redacted b sqs://q?redacted", redact.Text("a https://h/p?k=v b sqs://q?t=1"))
}

func TestWriterRedactsLines(t *testing.T) {
	var out bytes.Buffer
	w := redact.Writer(&out)
	fmt.Fprint(w, "policy https://h/p.yaml?sig=SE")
	fmt.Fprint(w, "CRET1: not found\nnext ")
	assert.Equal(t, "policy https://h/p.yaml?redacted: not found\n", out.String(), "a URL split across writes is redacted whole")
	fmt.Fprint(w, "line\r")
	assert.Contains(t, out.String(), "next line\r", "a redrawn progress line passes")
	fmt.Fprint(w, "tail https://u:PW2@h/")
	require.NoError(t, w.Flush())
	assert.NotContains(t, out.String(), "PW2")
	assert.Same(t, &out, w.Unwrap())
}
