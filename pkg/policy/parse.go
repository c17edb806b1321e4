package policy

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// Load fetches the policy file at src with the product's one loader
// (source.Fetch: a path, an https URL or s3://bucket/key) and parses it
// (see Parse). Errors name the source without the credentials it may
// carry.
func Load(ctx context.Context, src string, opts source.Options) (*Policy, error) {
	c, err := source.Fetch(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("policy file: %w", err)
	}
	return Parse(c.Data, c.Source)
}

// Parse parses a policy file. filename is used in messages only. On
// failure the error is an Errors value listing every problem found, in
// file order, each as "file:line:col: message".
func Parse(data []byte, filename string) (*Policy, error) {
	root, perr := decodeDocument(data, filename)
	if perr != nil {
		return nil, Errors{*perr}
	}
	if root == nil {
		return nil, Errors{{File: filename, Msg: "empty policy file"}}
	}
	d := &decoder{yamlfile.Decoder{File: filename}}
	p := d.policy(root)
	if len(d.Errs) > 0 {
		errs := make(Errors, len(d.Errs))
		for i, e := range d.Errs {
			errs[i] = Error(e)
		}
		return nil, errs.sorted()
	}
	return p, nil
}

// decodeDocument returns the root node of the file's only document, or nil
// when the file holds no document.
func decodeDocument(data []byte, file string) (*yaml.Node, *Error) {
	root, next, err := yamlfile.Decode(data)
	switch {
	case err != nil:
		e := Error(yamlfile.SyntaxError(file, err))
		return nil, &e
	case next != nil:
		return nil, &Error{File: file, Line: next.Line, Column: next.Column,
			Msg: "a policy file holds one YAML document; found a second"}
	}
	return root, nil
}

func (d *decoder) policy(root *yaml.Node) *Policy {
	p := &Policy{
		Version: 1,
		Mode:    ModeAudit,
		Guard:   Guard{MaxDeleteFraction: DefaultMaxDeleteFraction, MaxDeleteTags: DefaultMaxDeleteTags},
	}
	f, ok := d.mapping(root, "policy", "version", "mode", "guard", "protect_deployed", "retention", "default_grants", "audits")
	if !ok {
		return p
	}
	if n := f.Values["version"]; n != nil {
		if v, ok := d.integer(n, "version"); ok && v != 1 {
			d.errorf(yamlfile.Resolve(n), "unsupported version %d (this release reads version 1)", v)
		}
	}
	if n := f.Values["mode"]; n != nil {
		if m, ok := d.oneOf(n, "mode", string(ModeEnforce), string(ModeAudit)); ok {
			p.Mode = Mode(m)
		}
	}
	if n := f.Values["guard"]; n != nil {
		p.Guard = d.guard(n, "guard").apply(p.Guard)
	}
	if n := f.Values["protect_deployed"]; n != nil {
		p.ProtectDeployed = d.protectDeployed(n, DeployedProtection{})
	}
	if n := f.Values["retention"]; n != nil {
		p.Retention = d.retention(n, p.Guard, p.ProtectDeployed)
	}
	if n := f.Values["default_grants"]; n != nil {
		p.DefaultGrants = d.grants(n)
	}
	if n := f.Values["audits"]; n != nil {
		p.Audits = d.audits(n)
	}
	return p
}
