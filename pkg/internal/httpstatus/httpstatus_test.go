package httpstatus

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRecorderKeepsTheFirstStatus(t *testing.T) {
	rec := &Recorder{ResponseWriter: httptest.NewRecorder()}
	assert.Zero(t, rec.Status(), "nothing written")
	rec.WriteHeader(http.StatusTeapot)
	rec.WriteHeader(http.StatusOK)
	assert.Equal(t, http.StatusTeapot, rec.Status())

	body := &Recorder{ResponseWriter: httptest.NewRecorder()}
	_, _ = body.Write([]byte("ok"))
	assert.Equal(t, http.StatusOK, body.Status(), "a body without a status is a 200")
}
