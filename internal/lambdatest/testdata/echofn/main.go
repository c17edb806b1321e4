// Command echofn is the test function of package lambdatest: it echoes its
// payload with what it knows of the invocation (request id, deadlines), and
// can fail, panic, overrun its timeout or stop at its work deadline on
// request.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/swr-autopilot/swr-autopilot/pkg/deadline"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

// request holds the optional instructions a payload may carry.
type request struct {
	ID                string `json:"id"`
	Fail              string `json:"fail"`
	Panic             bool   `json:"panic"`
	SleepMs           int    `json:"sleepMs"`
	UntilWorkDeadline bool   `json:"untilWorkDeadline"`
}

// response is what echofn answers.
type response struct {
	Payload         json.RawMessage `json:"payload"`
	Function        string          `json:"function"`
	RequestID       string          `json:"requestId"`
	EventID         string          `json:"eventId"`
	RemainingMs     int64           `json:"remainingMs"`
	WorkRemainingMs int64           `json:"workRemainingMs"`
	StoppedWithMs   int64           `json:"stoppedWithMs,omitempty"`
	Env             string          `json:"env"`
}

func main() {
	logger := function.LoggerFromEnv(os.Stdout, os.Getenv)
	app := function.App{
		Name:   "echofn",
		Logger: logger,
		Lambda: func(ctx context.Context, payload json.RawMessage) (any, error) {
			return handle(ctx, logger, payload)
		},
		HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
				return
			}
			resp, err := handle(r.Context(), logger, body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(resp)
		}),
		OnShutdown: func() { logger.Info("echofn stopped") },
	}
	if err := function.Run(context.Background(), app); err != nil {
		logger.Error("echofn failed", "error", err.Error())
		os.Exit(1)
	}
}

func handle(ctx context.Context, logger *slog.Logger, payload json.RawMessage) (*response, error) {
	var req request
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	if req.ID != "" {
		ctx = function.WithEventID(ctx, req.ID)
	}
	logger.InfoContext(ctx, "echo invoked", "bytes", len(payload))

	work, cancel := deadline.Work(ctx, 0)
	defer cancel()
	resp := &response{
		Payload:         payload,
		Function:        lambdacontext.FunctionName,
		RequestID:       function.RequestID(ctx),
		EventID:         function.EventID(ctx),
		RemainingMs:     deadline.Remaining(ctx).Milliseconds(),
		WorkRemainingMs: deadline.Remaining(work).Milliseconds(),
		Env:             os.Getenv("ECHOFN_ENV"),
	}
	switch {
	case req.Fail != "":
		return nil, errors.New(req.Fail)
	case req.Panic:
		panic("echofn asked to panic")
	case req.SleepMs > 0:
		time.Sleep(time.Duration(req.SleepMs) * time.Millisecond)
	case req.UntilWorkDeadline:
		<-work.Done()
		resp.StoppedWithMs = deadline.Remaining(ctx).Milliseconds()
		logger.InfoContext(ctx, "stopped at work deadline", "remainingMs", resp.StoppedWithMs)
	}
	return resp, nil
}
