package targets

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/internal/loopback"
	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

var (
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	projectIDPattern = regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)
	envPattern       = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,62}_$`)
	// secretPattern is a Secrets Manager secret name or ARN.
	secretPattern = regexp.MustCompile(`^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$`)
	hostPattern   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

// literalSecretKeys are keys that would put a secret in the file.
var literalSecretKeys = []string{
	"ak", "sk", "access_key", "secret_key", "access_key_id", "secret_access_key",
	"security_token", "token", "auth_token", "password",
}

// Parse parses and validates a targets file; filename is used only in
// messages. Every problem is reported, in file order, in an ErrorList
// whose entries read "file:line:column: message". Messages about
// credentials never repeat the values written there.
//
// The file must name at least one target. The returned Set holds the
// targets that validated, in file order (jobs visit them in that order:
// list replication sources before their replicas); use it only when err
// is nil.
func Parse(data []byte, filename string) (*Set, error) {
	p := &parser{c: yamlfile.Decoder{File: filename}, set: &Set{File: filename}}
	p.parse(data)
	if len(p.c.Errs) == 0 {
		return p.set, nil
	}
	yamlfile.SortByPosition(p.c.Errs, func(e yamlfile.Error) (int, int) { return e.Line, e.Column })
	list := make(ErrorList, len(p.c.Errs))
	for i := range p.c.Errs {
		list[i] = &p.c.Errs[i]
	}
	return p.set, list
}

type parser struct {
	c   yamlfile.Decoder
	set *Set
}

func (p *parser) parse(data []byte) {
	doc, next, err := yamlfile.Decode(data)
	if next != nil {
		p.c.Errorf(next, "a second YAML document starts here; a targets file holds exactly one")
	}
	if err != nil {
		p.c.Errs = append(p.c.Errs, yamlfile.SyntaxError(p.c.File, err))
	}
	if err != nil || doc == nil {
		if err == nil {
			p.c.Errs = append(p.c.Errs, yamlfile.Error{File: p.c.File, Msg: "the targets file is empty: list at least one target under targets"})
		}
		return
	}
	root := yamlfile.Resolve(doc)
	var list *yaml.Node
	p.c.Fields(root, "the top level", []string{"targets"}, func(key, value *yaml.Node) { list = value })
	if list == nil || yamlfile.IsNull(list) || (list.Kind == yaml.SequenceNode && len(list.Content) == 0) {
		p.c.Errorf(root, "no targets: list at least one target under targets")
		return
	}
	names := map[string]*yaml.Node{}
	places := map[string]*yaml.Node{}
	p.c.Sequence(list, "targets", func(item *yaml.Node) {
		t, nameNode, ok := p.target(item)
		if !ok {
			return
		}
		if first, dup := names[t.Name]; dup {
			p.c.Errorf(nameNode, "target %q is already defined at line %d:%d", t.Name, first.Line, first.Column)
			return
		}
		names[t.Name] = nameNode
		place := t.Region + "/" + t.ProjectID + "/" + t.Endpoint
		if first, dup := places[place]; dup {
			p.c.Errorf(nameNode, "target %q governs the same region, project and endpoint as the target at line %d:%d", t.Name, first.Line, first.Column)
			return
		}
		places[place] = nameNode
		p.set.Targets = append(p.set.Targets, t)
	})
}

// target parses one list item; nameNode is where its name is written.
func (p *parser) target(n *yaml.Node) (t Target, nameNode *yaml.Node, ok bool) {
	before := len(p.c.Errs)
	var regionNode *yaml.Node
	fieldsOK := p.c.Fields(n, "a target", []string{"name", "region", "project_id", "endpoint", "registry_hosts", "credentials"}, func(key, value *yaml.Node) {
		switch key.Value {
		case "name":
			if name, ok := p.c.Text(value, "target name"); ok {
				nameNode = value
				if !namePattern.MatchString(name) {
					p.c.Errorf(value, "target name %q must be 1 to 63 lower-case letters, digits and '-', starting with a letter", name)
				}
				t.Name = name
			}
		case "region":
			if region, ok := p.c.Text(value, "region"); ok {
				regionNode = value
				if err := config.CheckRegion(region); err != nil {
					p.c.Errorf(value, "%v", err)
				}
				t.Region = region
			}
		case "project_id":
			if id, ok := p.c.Text(value, "project_id"); ok {
				if !projectIDPattern.MatchString(id) {
					p.c.Errorf(value, "project_id %q must be letters and digits", id)
				}
				t.ProjectID = id
			}
		case "endpoint":
			if ep, ok := p.endpoint(value); ok {
				t.Endpoint = ep
			}
		case "registry_hosts":
			p.c.Sequence(value, "registry_hosts", func(item *yaml.Node) {
				if h, ok := p.c.Text(item, "registry host"); ok {
					if !hostPattern.MatchString(h) {
						p.c.Errorf(item, "registry host %q must be a lower-case DNS name without scheme, port or path", h)
						return
					}
					t.RegistryHosts = append(t.RegistryHosts, h)
				}
			})
		case "credentials":
			t.Credentials = p.credentials(value)
		}
	})
	if !fieldsOK {
		return t, nil, false
	}
	if nameNode == nil && len(p.c.Errs) == before {
		p.c.Errorf(n, "a target needs a name")
	}
	if regionNode == nil && nameNode != nil {
		p.c.Errorf(nameNode, "target %q needs a region", t.Name)
	}
	return t, nameNode, len(p.c.Errs) == before
}

// endpoint accepts an absolute https URL (http only to a loopback host,
// for local emulators) without credentials, query or fragment.
func (p *parser) endpoint(n *yaml.Node) (string, bool) {
	raw, ok := p.c.Text(n, "endpoint")
	if !ok {
		return "", false
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.c.Errorf(n, "endpoint must be an absolute https:// URL")
	case u.User != nil:
		p.c.Errorf(n, "endpoint must not carry credentials; name them under credentials")
	case u.RawQuery != "" || u.Fragment != "":
		p.c.Errorf(n, "endpoint must not have a query or fragment")
	case u.Scheme == "http" && !loopback.Host(u.Hostname()):
		p.c.Errorf(n, "endpoint %s: plain http is allowed only to a loopback host; use https", u.Host)
	default:
		return strings.TrimSuffix(raw, "/"), true
	}
	return "", false
}

// credentials parses where a target's credentials come from. Values are
// never quoted in messages: a mistake here may be a pasted secret.
func (p *parser) credentials(n *yaml.Node) Credentials {
	var c Credentials
	var first *yaml.Node
	p.c.Fields(n, "credentials", nil, func(key, value *yaml.Node) {
		switch {
		case slices.Contains(literalSecretKeys, strings.ToLower(key.Value)):
			p.c.Errorf(key, "credentials must not hold a secret (%s): name an environment prefix (env) or a Secrets Manager secret (secret) instead", key.Value)
			return
		case key.Value != "env" && key.Value != "secret":
			p.c.Errorf(key, "unknown key %q in credentials; known keys are env, secret", key.Value)
			return
		}
		if first != nil {
			p.c.Errorf(key, "credentials name both env and secret; give one")
			return
		}
		first = key
		v := yamlfile.Resolve(value)
		if v.Kind != yaml.ScalarNode || yamlfile.IsNull(v) || v.Value == "" {
			p.c.Errorf(v, "credentials %s must be a non-empty string", key.Value)
			return
		}
		switch key.Value {
		case "env":
			if !envPattern.MatchString(v.Value) {
				p.c.Errorf(v, "credentials env must be an environment variable prefix such as PROD_: upper-case letters, digits and '_', ending in '_'")
				return
			}
			c.Env = v.Value
		case "secret":
			if !secretPattern.MatchString(v.Value) {
				p.c.Errorf(v, "credentials secret must be a Secrets Manager secret name or ARN")
				return
			}
			c.Secret = v.Value
		}
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		p.c.Errorf(n, "credentials is empty: give env or secret, or leave the key out to use the function's own variables")
	}
	return c
}

// Validate parses data like Parse and returns only the error.
func Validate(data []byte, filename string) error {
	_, err := Parse(data, filename)
	return err
}
