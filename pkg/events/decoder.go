package events

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// Decoder turns every input shape into typed events. It is safe for
// concurrent use; it holds the replay cache of HMAC signatures, so keep one
// per warm instance.
type Decoder struct {
	cfg  Config
	auth *authenticator
}

// NewDecoder returns a Decoder for cfg, with defaults for zero fields. It
// fails only for an invalid ScheduledKind.
func NewDecoder(cfg Config) (*Decoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Decoder{cfg: cfg, auth: newAuthenticator(cfg.Auth, cfg.Now)}, nil
}

// lambdaProbe holds the members that tell the Lambda payload shapes apart.
// They are raw so that probing never fails on a member of the wrong type;
// the shape's own decoder reports that precisely.
type lambdaProbe struct {
	RawPath        json.RawMessage `json:"rawPath"`
	RequestContext struct {
		HTTP json.RawMessage `json:"http"`
	} `json:"requestContext"`
	Records     json.RawMessage `json:"Records"`
	DetailType  json.RawMessage `json:"detail-type"`
	Source      json.RawMessage `json:"source"`
	SpecVersion json.RawMessage `json:"specversion"`
}

// DecodeLambda decodes one Lambda invocation payload. It recognises, in
// this order: a Function URL / API Gateway v2 HTTP request (rawPath and
// requestContext.http), an SQS batch (Records), an EventBridge envelope
// (detail-type and source) and a bare CloudEvent (specversion).
//
// On error the Batch is still returned, with its Origin, whenever the shape
// was recognised, so that the runtime can answer in that shape (an HTTP
// status for a Function URL rather than a failed invocation). SQS records
// that fail to decode are not an error of the batch: see Batch.Records.
func (d *Decoder) DecodeLambda(ctx context.Context, payload json.RawMessage) (*Batch, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, badRequest("payload", "want a JSON object")
	}
	var p lambdaProbe
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return nil, jsonError("payload", err)
	}
	switch {
	case present(p.RawPath) && present(p.RequestContext.HTTP):
		b := &Batch{Origin: OriginFunctionURL}
		evs, err := d.decodeFunctionURL(ctx, trimmed, &b.replayKey)
		b.Events = evs
		return b, err
	case present(p.Records):
		return d.decodeSQS(trimmed)
	case present(p.DetailType) && present(p.Source):
		b := &Batch{Origin: OriginEventBridge}
		if len(trimmed) > d.cfg.MaxBody {
			return b, tooLarge("payload", d.cfg.MaxBody)
		}
		evs, err := d.decodeEventBridge(trimmed)
		b.Events = evs
		return b, err
	case present(p.SpecVersion):
		b := &Batch{Origin: OriginCloudEvent}
		if len(trimmed) > d.cfg.MaxBody {
			return b, tooLarge("payload", d.cfg.MaxBody)
		}
		evs, err := d.decodeBareCloudEvent(trimmed, "")
		b.Events = evs
		return b, err
	}
	return nil, badRequest("payload", "unrecognised shape: not a Function URL request (rawPath, requestContext.http), "+
		"an SQS batch (Records), an EventBridge event (detail-type, source) or a CloudEvent (specversion)")
}

// DecodeHTTP decodes one HTTP request in receiver mode: a CloudEvent in
// binary, structured or batch mode, a JSON array of CloudEvents, or a
// Harbor / SWR Enterprise webhook. The request is authenticated first:
// from its headers alone before the body is read, except for an HMAC
// signature, whose check needs the body; that body is read only when the
// signature header is well-formed and its timestamp fresh.
func (d *Decoder) DecodeHTTP(r *http.Request) (*Batch, error) {
	b := &Batch{Origin: OriginHTTP}
	if r.Method != http.MethodPost {
		return b, &Error{Status: http.StatusMethodNotAllowed, Field: "method", Reason: quote(r.Method) + " not allowed, use POST"}
	}
	// Refuse what the headers already condemn before reading any body, so
	// that an unauthenticated client costs no memory for what it sends.
	if err := d.auth.checkHeaders(r.Header); err != nil {
		return b, err
	}
	if r.ContentLength > int64(d.cfg.MaxBody) {
		return b, tooLarge("body", d.cfg.MaxBody)
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, int64(d.cfg.MaxBody)+1))
		if err != nil {
			return b, badRequest("body", "cannot read: "+err.Error())
		}
	}
	evs, err := d.decodeHTTPInput(r.Context(), httpInput{header: r.Header, body: body, replayKey: &b.replayKey})
	b.Events = evs
	return b, err
}

func (d *Decoder) decodeFunctionURL(ctx context.Context, payload []byte, replayKey *string) ([]Event, error) {
	var req awsevents.LambdaFunctionURLRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, jsonError("", err)
	}
	if m := req.RequestContext.HTTP.Method; m != http.MethodPost {
		return nil, &Error{Status: http.StatusMethodNotAllowed, Field: "requestContext.http.method", Reason: quote(m) + " not allowed, use POST"}
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if len(req.Body) > base64.StdEncoding.EncodedLen(d.cfg.MaxBody) {
			return nil, tooLarge("body", d.cfg.MaxBody)
		}
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, badRequest("body", "invalid base64: "+err.Error())
		}
	}
	header := make(http.Header, len(req.Headers))
	for k, v := range req.Headers {
		header.Set(k, v)
	}
	return d.decodeHTTPInput(ctx, httpInput{header: header, body: body, replayKey: replayKey})
}

// limitEvents refuses more than MaxBatch events from one input.
func (d *Decoder) limitEvents(path string, n int) error {
	if n > d.cfg.MaxBatch {
		return badRequest(orRoot(path), strconv.Itoa(n)+" events, more than the limit of "+strconv.Itoa(d.cfg.MaxBatch))
	}
	return nil
}

func (d *Decoder) now() time.Time { return d.cfg.Now().UTC() }

func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

func orRoot(path string) string {
	if path == "" {
		return "payload"
	}
	return path
}

// jsonError turns an encoding/json error into a 400 naming where it is.
func jsonError(path string, err error) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest(orRoot(path), fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		field := path
		if typ.Field != "" {
			field = join(path, typ.Field)
		}
		return badRequest(orRoot(field), "want "+jsonKind(typ.Type)+", got JSON "+typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest(orRoot(path), "truncated JSON")
	}
	return badRequest(orRoot(path), "invalid JSON: "+err.Error())
}

// jsonKind names a Go type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

// Release lets the sender of an HTTP input send the same signed request
// again: call it when the input was accepted but its work failed and the
// caller was told to retry (a 5xx). Without it the retry would be refused
// as a replay. It does nothing for inputs that carried no signature.
func (d *Decoder) Release(b *Batch) {
	if b != nil {
		d.auth.release(b.replayKey)
	}
}
