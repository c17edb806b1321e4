package events

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"unicode"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/binding/format"
	"github.com/cloudevents/sdk-go/v2/binding/spec"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
)

// The CloudEvents HTTP protocol binding, as far as the functions need it:
// reading binary (ce-* headers), structured (application/cloudevents+json)
// and batch (application/cloudevents-batch+json) messages, and writing
// binary ones. It maps headers onto the SDK's binding and event packages
// itself, rather than linking the SDK's HTTP protocol package and its
// logger.

// ceHeaders maps CloudEvents attributes onto HTTP headers: Content-Type
// for datacontenttype, Ce-<name> for the others.
var ceHeaders = spec.WithPrefixMatchExact(ceHeader, "Ce-")

// ceHeader is the HTTP header of the CloudEvents attribute name.
func ceHeader(name string) string {
	if name == "datacontenttype" {
		return "Content-Type"
	}
	return textproto.CanonicalMIMEHeaderKey("Ce-" + name)
}

// httpMessage is a CloudEvents HTTP message: headers and a buffered body.
type httpMessage struct {
	header  http.Header
	body    []byte
	format  format.Format // structured or batch mode
	version spec.Version  // binary mode
}

var _ binding.MessageMetadataReader = (*httpMessage)(nil)

func newHTTPMessage(header http.Header, body []byte) *httpMessage {
	m := &httpMessage{header: header, body: body}
	if m.format = format.Lookup(header.Get("Content-Type")); m.format == nil {
		m.version = ceHeaders.Version(header.Get(ceHeaders.PrefixedSpecVersionName()))
	}
	return m
}

// ReadEncoding reports binary mode when the message has a known
// Ce-Specversion and no CloudEvents media type, structured or batch mode
// by its media type, and EncodingUnknown otherwise.
func (m *httpMessage) ReadEncoding() binding.Encoding {
	switch {
	case m.version != nil:
		return binding.EncodingBinary
	case m.format == format.JSONBatch:
		return binding.EncodingBatch
	case m.format != nil:
		return binding.EncodingStructured
	}
	return binding.EncodingUnknown
}

// ReadStructured hands the body to w in the message's format.
func (m *httpMessage) ReadStructured(ctx context.Context, w binding.StructuredWriter) error {
	if m.format == nil {
		return binding.ErrNotStructured
	}
	return w.SetStructuredEvent(ctx, m.format, bytes.NewReader(m.body))
}

// ReadBinary hands the Ce-* headers to w as attributes and extensions,
// and the body as data.
func (m *httpMessage) ReadBinary(ctx context.Context, w binding.BinaryWriter) error {
	if m.version == nil {
		return binding.ErrNotBinary
	}
	for k, v := range m.header {
		var err error
		if attr := m.version.Attribute(k); attr != nil {
			err = w.SetAttribute(attr, v[0])
		} else if name, ok := strings.CutPrefix(k, "Ce-"); ok && name != "" {
			err = w.SetExtension(string(unicode.ToLower(rune(name[0])))+name[1:], v[0])
		}
		if err != nil {
			return err
		}
	}
	if len(m.body) > 0 {
		return w.SetData(bytes.NewReader(m.body))
	}
	return nil
}

// GetAttribute returns the binary-mode attribute of kind k and its header
// value.
func (m *httpMessage) GetAttribute(k spec.Kind) (spec.Attribute, any) {
	attr := m.version.AttributeFromKind(k)
	if attr == nil {
		return nil, nil
	}
	if h := m.header[ceHeader(attr.Name())]; h != nil {
		return attr, h[0]
	}
	return attr, nil
}

// GetExtension returns the value of the extension's header.
func (m *httpMessage) GetExtension(name string) any {
	if h := m.header[ceHeader(name)]; h != nil {
		return h[0]
	}
	return nil
}

// Finish does nothing: the body is buffered.
func (m *httpMessage) Finish(error) error { return nil }

// toEvents decodes a batch message.
func (m *httpMessage) toEvents(ctx context.Context) ([]event.Event, error) {
	return binding.ToEvents(ctx, m, bytes.NewReader(m.body))
}

// WriteHTTPRequest writes e into req as a binary-mode CloudEvent: its
// attributes and extensions as Ce-* headers (datacontenttype as
// Content-Type), its data as the body.
func WriteHTTPRequest(ctx context.Context, e *event.Event, req *http.Request) error {
	w := (*httpRequestWriter)(req)
	if req.Header == nil {
		req.Header = http.Header{}
	}
	return (*binding.EventMessage)(e).ReadBinary(ctx, w)
}

// httpRequestWriter writes a binary-mode message into an HTTP request.
type httpRequestWriter http.Request

func (w *httpRequestWriter) Start(context.Context) error { return nil }
func (w *httpRequestWriter) End(context.Context) error   { return nil }

func (w *httpRequestWriter) SetAttribute(attr spec.Attribute, value any) error {
	return w.set(ceHeader(attr.Name()), value)
}

func (w *httpRequestWriter) SetExtension(name string, value any) error {
	return w.set(ceHeader(name), value)
}

// set writes the header key, or deletes it when value is nil.
func (w *httpRequestWriter) set(key string, value any) error {
	if value == nil {
		delete(w.Header, key)
		return nil
	}
	s, err := types.Format(value)
	if err != nil {
		return err
	}
	w.Header[key] = []string{s}
	return nil
}

func (w *httpRequestWriter) SetData(data io.Reader) error {
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	req := (*http.Request)(w)
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.ContentLength = int64(len(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return nil
}
