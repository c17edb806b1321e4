package swr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateLimiterRefusalIsADeadlineError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"namespaces":[]}`))
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, AKSK{AK: "ak", SK: "sk"}, WithRateLimit(0.01, 1))
	require.NoError(t, err)
	_, err = c.Namespaces.List(context.Background()) // uses the one token
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.Namespaces.List(ctx) // the next token is 100 s away: refused at once
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "refused before the deadline, not by it")
}
