package events

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// httpInput is one HTTP request reduced to what decoding needs. request is
// set in receiver mode, where the SDK's request helpers decode it.
type httpInput struct {
	header    http.Header
	body      []byte
	request   *http.Request
	replayKey *string // receives the accepted signature's replay-cache key
}

func (in httpInput) event(ctx context.Context) (*event.Event, error) {
	if in.request != nil {
		return cehttp.NewEventFromHTTPRequest(in.withBody(ctx))
	}
	return binding.ToEvent(ctx, cehttp.NewMessage(in.header, io.NopCloser(bytes.NewReader(in.body))))
}

func (in httpInput) events(ctx context.Context) ([]event.Event, error) {
	if in.request != nil {
		return cehttp.NewEventsFromHTTPRequest(in.withBody(ctx))
	}
	msg := cehttp.NewMessage(in.header, io.NopCloser(bytes.NewReader(in.body)))
	return binding.ToEvents(ctx, msg, bytes.NewReader(in.body))
}

// withBody returns a shallow copy of the request that reads the already
// buffered body.
func (in httpInput) withBody(ctx context.Context) *http.Request {
	r := in.request.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(in.body))
	return r
}

// decodeHTTPInput enforces the body limit, authenticates, and decodes the
// body by its CloudEvents encoding, falling back to sniffing plain JSON.
func (d *Decoder) decodeHTTPInput(ctx context.Context, in httpInput) ([]Event, error) {
	if len(in.body) > d.cfg.MaxBody {
		return nil, tooLarge("body", d.cfg.MaxBody)
	}
	key, err := d.auth.check(in.header, in.body)
	if err != nil {
		return nil, err
	}
	if in.replayKey != nil {
		*in.replayKey = key
	}
	evs, err := d.decodeAuthenticated(ctx, in)
	if err != nil {
		// A refused body did no work: the same signed request may come again.
		d.auth.release(key)
	}
	return evs, err
}

// decodeAuthenticated decodes an authenticated body by its CloudEvents
// encoding, falling back to sniffing plain JSON.
func (d *Decoder) decodeAuthenticated(ctx context.Context, in httpInput) ([]Event, error) {
	switch cehttp.NewMessage(in.header, nil).ReadEncoding() {
	case binding.EncodingBinary:
		ce, err := in.event(ctx)
		if err != nil {
			return nil, badRequest("header Ce-*", "invalid binary-mode CloudEvent: "+err.Error())
		}
		return d.fromCloudEvent(ce, "header Ce-", "body")
	case binding.EncodingStructured:
		ce, err := in.event(ctx)
		if err != nil {
			return nil, badRequest("body", "invalid structured CloudEvent: "+err.Error())
		}
		return d.fromCloudEvent(ce, "body.", "body.data")
	case binding.EncodingBatch:
		ces, err := in.events(ctx)
		if err != nil {
			return nil, jsonError("body", err)
		}
		if err := d.limitEvents("body", len(ces)); err != nil {
			return nil, err
		}
		var out []Event
		for i := range ces {
			path := "body[" + strconv.Itoa(i) + "]"
			evs, err := d.fromCloudEvent(&ces[i], path+".", path+".data")
			if err != nil {
				return nil, err
			}
			out = append(out, evs...)
		}
		return out, d.limitEvents("body", len(out))
	}
	return d.decodeDocument(in.body, "body")
}

// documentProbe tells a CloudEvent from a Harbor Default webhook.
type documentProbe struct {
	SpecVersion json.RawMessage `json:"specversion"`
	EventData   json.RawMessage `json:"event_data"`
}

// decodeDocument decodes a JSON body that carries no CloudEvents headers: a
// structured CloudEvent sent as application/json, a JSON array of them, or
// a Harbor / SWR Enterprise Default webhook.
func (d *Decoder) decodeDocument(body []byte, path string) ([]Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, badRequest(path, "empty")
	}
	switch trimmed[0] {
	case '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, jsonError(path, err)
		}
		if len(raws) == 0 {
			// Only the CloudEvents batch content type makes an empty batch
			// legal; a plain empty array is a request for nothing.
			return nil, badRequest(path, "empty array: want at least one CloudEvent")
		}
		if err := d.limitEvents(path, len(raws)); err != nil {
			return nil, err
		}
		var out []Event
		for i, raw := range raws {
			evs, err := d.decodeBareCloudEvent(raw, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out = append(out, evs...)
		}
		return out, d.limitEvents(path, len(out))
	case '{':
		var p documentProbe
		if err := json.Unmarshal(trimmed, &p); err != nil {
			return nil, jsonError(path, err)
		}
		switch {
		case present(p.SpecVersion):
			return d.decodeBareCloudEvent(trimmed, path)
		case present(p.EventData):
			return d.decodeHarborDefault(trimmed, path)
		}
		return nil, badRequest(path, "unrecognised shape: neither a CloudEvent (specversion) nor a Harbor webhook (type, event_data)")
	}
	return nil, badRequest(path, "want a JSON object or array")
}

// decodeBareCloudEvent decodes one CloudEvent in the JSON event format.
func (d *Decoder) decodeBareCloudEvent(raw []byte, path string) ([]Event, error) {
	var ce event.Event
	if err := json.Unmarshal(raw, &ce); err != nil {
		return nil, badRequest(orRoot(path), "invalid CloudEvent: "+err.Error())
	}
	prefix := path
	if prefix != "" {
		prefix += "."
	}
	return d.fromCloudEvent(&ce, prefix, join(path, "data"))
}

// fromCloudEvent checks the required attributes and maps the event by type
// and source. attr prefixes attribute names in errors ("body." or
// "header Ce-"); dataPath names the data.
func (d *Decoder) fromCloudEvent(ce *event.Event, attr, dataPath string) ([]Event, error) {
	name := func(a string) string {
		switch {
		case !strings.HasPrefix(attr, "header"):
			return attr + a
		case a == "datacontenttype":
			return "header Content-Type"
		}
		return attr + strings.ToUpper(a[:1]) + a[1:]
	}
	for _, a := range [...]struct{ name, value string }{{"id", ce.ID()}, {"source", ce.Source()}, {"type", ce.Type()}} {
		if a.value == "" {
			return nil, badRequest(name(a.name), "missing")
		}
	}
	if err := ce.Validate(); err != nil {
		return nil, badRequest(orRoot(strings.TrimSuffix(attr, ".")), "invalid CloudEvent: "+err.Error())
	}
	if ct := ce.DataContentType(); ct != "" && len(ce.Data()) > 0 && !isJSONMediaType(ct) {
		return nil, badRequest(name("datacontenttype"), "want JSON data, got "+quote(ct))
	}
	base := Event{ID: ce.ID(), Source: ce.Source(), Type: ce.Type(), Time: ce.Time().UTC()}
	if ce.Time().IsZero() {
		base.Time = d.now()
	}
	switch typ := ce.Type(); {
	case strings.HasPrefix(typ, TypePrefix):
		p, err := decodeOwnData(typ, ce.Data(), dataPath)
		if err != nil {
			return nil, err
		}
		return []Event{withPayload(base, p)}, nil
	case ce.Source() == EventGridSource:
		p, err := decodeEventGridData(typ, ce.Data(), dataPath)
		if err != nil {
			return nil, err
		}
		base.Location = eventGridLocation(ce)
		return []Event{withPayload(base, p)}, nil
	case typ == HarborTypeArtifactPushed:
		return d.decodeHarborData(base, ce.Data(), dataPath)
	default:
		return []Event{withPayload(base, Unknown{Type: typ, Reason: "unsupported CloudEvent type"})}, nil
	}
}

func withPayload(e Event, p Payload) Event {
	e.Payload = p
	e.Kind = p.Kind()
	return e
}

func isJSONMediaType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}
