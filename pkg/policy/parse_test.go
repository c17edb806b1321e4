package policy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func TestLoadExample(t *testing.T) {
	p, err := Load(context.Background(), filepath.Join("testdata", "example.yaml"), source.Options{})
	require.NoError(t, err)

	assert.Equal(t, 1, p.Version)
	assert.Equal(t, ModeEnforce, p.Mode)
	assert.Equal(t, Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 200}, p.Guard)

	want := []RetentionRule{
		{
			Match:    MustParseGlob("prod/**"),
			KeepDays: 180,
			Protect: []swr.TagSelector{
				{Kind: swr.SelectorLabel, Pattern: "latest"},
				{Kind: swr.SelectorLabel, Pattern: "stable"},
				{Kind: swr.SelectorRegexp, Pattern: `^v\d+\.\d+\.\d+$`},
			},
			Guard: Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 50},
			Line:  16,
		},
		{Match: MustParseGlob("sandbox/**"), Unmanaged: true, Guard: p.Guard, Line: 22},
		{
			Match:    MustParseGlob("team-*/ci-cache"),
			KeepLast: 5,
			Protect:  []swr.TagSelector{},
			Guard:    Guard{MaxDeleteFraction: 1, MaxDeleteTags: 200},
			Line:     25,
		},
		{
			Match:    MustParseGlob("**"),
			KeepLast: 30,
			Protect:  []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}},
			Guard:    p.Guard,
			Line:     30,
		},
	}
	assert.Equal(t, want, p.Retention)

	require.Len(t, p.DefaultGrants, 2)
	assert.Equal(t, []swr.UserAuth{
		{UserID: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", UserName: "release-bot", Auth: swr.AuthWrite},
		{UserID: "9a8b7c6d5e4f30211203f4e5d6c7b8a9", UserName: "sre-oncall", Auth: swr.AuthManage},
	}, p.DefaultGrants[0].Users)

	require.NotNil(t, p.Audits.Triggers)
	assert.Equal(t, TriggerAudit{
		AllowedClusters: []string{"prod-cce", "staging-cce"},
		Protected:       []Glob{MustParseGlob("prod/**")},
		FlagDisabled:    true,
		FlagFailures:    true,
		FailureLookback: 10,
		Remedy:          RemedyDisable,
	}, *p.Audits.Triggers)

	require.NotNil(t, p.Audits.Sync)
	assert.Equal(t, SyncAudit{
		Require: []SyncRequirement{
			{Match: MustParseGlob("prod/**"), Region: "cn-east-3", Namespace: "{namespace}", ForbidOverride: true, Line: 62},
			{Match: MustParseGlob("prod/payments/**"), Region: "ap-southeast-1", Namespace: "{namespace}-dr", Line: 66},
		},
		Remedy: RemedyCreate,
	}, *p.Audits.Sync)

	require.NotNil(t, p.Audits.Visibility)
	assert.Equal(t, VisibilityAudit{
		AllowPublic: []Glob{MustParseGlob("public/**"), MustParseGlob("docs/site")},
		Remedy:      RemedyPrivate,
	}, *p.Audits.Visibility)
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse([]byte(`
retention:
  - match: "**"
    keep_last: 10
audits:
  triggers: {}
  sync:
    require:
      - {match: "prod/**", region: cn-north-4}
  visibility: {}
`), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, ModeAudit, p.Mode, "a policy that does not say enforce never writes")
	assert.Equal(t, Guard{MaxDeleteFraction: DefaultMaxDeleteFraction, MaxDeleteTags: DefaultMaxDeleteTags}, p.Guard)
	assert.Equal(t, p.Guard, p.Retention[0].Guard)
	assert.Equal(t, []swr.TagSelector{}, p.Retention[0].Protect)
	assert.Equal(t, TriggerAudit{FlagDisabled: true, FlagFailures: true, FailureLookback: DefaultFailureLookback, Remedy: RemedyNone}, *p.Audits.Triggers)
	assert.Equal(t, "{namespace}", p.Audits.Sync.Require[0].Namespace)
	assert.Equal(t, RemedyNone, p.Audits.Sync.Remedy)
	assert.Equal(t, VisibilityAudit{Remedy: RemedyNone}, *p.Audits.Visibility)
	assert.Nil(t, p.DefaultGrants)
}

func TestParseAuditsCanBeSwitchedOff(t *testing.T) {
	p, err := Parse([]byte(`
audits:
  triggers: {enabled: false, allowed_clusters: [a]}
  sync: {enabled: false, require: []}
  visibility: {enabled: true}
`), "p.yaml")
	require.NoError(t, err)
	assert.Nil(t, p.Audits.Triggers)
	assert.Nil(t, p.Audits.Sync)
	assert.NotNil(t, p.Audits.Visibility)
}

func TestParseRuleGuardOverridesOneField(t *testing.T) {
	p, err := Parse([]byte(`
guard: {max_delete_fraction: 0.2, max_delete_tags: 40}
retention:
  - match: "a/**"
    keep_last: 3
    guard: {max_delete_tags: 0}
  - match: "b/**"
    keep_last: 3
    guard: {max_delete_fraction: 1}
`), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, Guard{MaxDeleteFraction: 0.2, MaxDeleteTags: 0}, p.Retention[0].Guard)
	assert.Equal(t, Guard{MaxDeleteFraction: 1, MaxDeleteTags: 40}, p.Retention[1].Guard)
}

func TestParseFollowsAliases(t *testing.T) {
	p, err := Parse([]byte(`
retention:
  - match: "prod/**"
    keep_days: 90
    protect: &keep [latest, "/^release-.*/"]
  - match: "**"
    keep_last: 20
    protect: *keep
`), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, p.Retention[0].Protect, p.Retention[1].Protect)
	assert.Len(t, p.Retention[1].Protect, 2)
}

func TestParseAcceptsUnquotedNumericTags(t *testing.T) {
	p, err := Parse([]byte("retention:\n  - match: \"**\"\n    keep_last: 5\n    protect: [1.0, 2024]\n"), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, []swr.TagSelector{{Kind: "label", Pattern: "1.0"}, {Kind: "label", Pattern: "2024"}}, p.Retention[0].Protect)
}

func TestParseEmpty(t *testing.T) {
	for _, data := range []string{"", "\n", "# nothing here\n"} {
		_, err := Parse([]byte(data), "empty.yaml")
		require.Error(t, err)
		assert.Equal(t, "empty.yaml: empty policy file", err.Error())
	}
}

func TestParseNotAMapping(t *testing.T) {
	_, err := Parse([]byte("- a\n- b\n"), "list.yaml")
	assert.EqualError(t, err, "list.yaml:1:1: policy must be a mapping, not a list")
}

// TestParseInvalid parses every file in testdata/invalid and compares the
// errors with the file's "# want: line:col: message" comments, in order.
func TestParseInvalid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			want := wantedErrors(t, data, file)
			require.NotEmpty(t, want, "file has no # want: lines")

			p, err := Parse(data, file)
			require.Error(t, err)
			assert.Nil(t, p)
			var errs Errors
			require.True(t, errors.As(err, &errs), "error is %T, want Errors", err)
			got := make([]string, len(errs))
			for i, e := range errs {
				got[i] = e.Error()
			}
			assert.Equal(t, want, got)
		})
	}
}

func wantedErrors(t *testing.T, data []byte, file string) []string {
	t.Helper()
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			want = append(want, file+":"+rest)
		}
	}
	require.NoError(t, sc.Err())
	return want
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(context.Background(), filepath.Join(t.TempDir(), "nope.yaml"), source.Options{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrNotExist))
	assert.Contains(t, err.Error(), "policy file: fetch")
}

// TestLoadHTTPSNamesTheSourceWithoutCredentials loads a policy over https
// from a URL with a password and a signed query: a good file parses, and
// neither a fetch error nor a problem in the file repeats the secrets.
func TestLoadHTTPSNamesTheSourceWithoutCredentials(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good.yaml":
			io.WriteString(w, "mode: audit\n")
		case "/bad.yaml":
			io.WriteString(w, "mode: sometimes\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	opts := source.Options{HTTPClient: srv.Client()}
	at := func(path string) string {
		return "https://deploy:PWPLANTED@" + strings.TrimPrefix(srv.URL, "https://") + path + "?X-Amz-Signature=SIGPLANTED"
	}

	p, err := Load(context.Background(), at("/good.yaml"), opts)
	require.NoError(t, err)
	assert.Equal(t, ModeAudit, p.Mode)

	_, err = Load(context.Background(), at("/bad.yaml"), opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/bad.yaml?redacted:1:7: mode must be enforce or audit")
	_, missing := Load(context.Background(), at("/missing.yaml"), opts)
	require.Error(t, missing)
	assert.Contains(t, missing.Error(), "HTTP 404")
	for _, secret := range []string{"PWPLANTED", "SIGPLANTED"} {
		assert.NotContains(t, err.Error(), secret)
		assert.NotContains(t, missing.Error(), secret)
	}
}

func TestErrorFormat(t *testing.T) {
	assert.Equal(t, "f.yaml:3:7: bad", Error{File: "f.yaml", Line: 3, Column: 7, Msg: "bad"}.Error())
	assert.Equal(t, "f.yaml:3: bad", Error{File: "f.yaml", Line: 3, Msg: "bad"}.Error())
	assert.Equal(t, "f.yaml: bad", Error{File: "f.yaml", Msg: "bad"}.Error())
	assert.Equal(t, "3:7: bad", Error{Line: 3, Column: 7, Msg: "bad"}.Error())
	assert.Equal(t, "a:1:1: x\na:2:1: y", Errors{{File: "a", Line: 1, Column: 1, Msg: "x"}, {File: "a", Line: 2, Column: 1, Msg: "y"}}.Error())
}

func TestParseProtectDeployedDefaultAndOverrides(t *testing.T) {
	p, err := Parse([]byte(`
protect_deployed: {last: 2, days: 30}
retention:
  - match: "a/**"
    keep_last: 3
  - match: "b/**"
    keep_last: 3
    protect_deployed: {last: 5}
  - match: "c/**"
    keep_days: 7
    protect_deployed: {enabled: false}
  - match: "d/**"
    keep_days: 7
    protect_deployed: {days: 0}
  - match: "e/**"
    unmanaged: true
audits:
  conflicts: {}
`), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, DeployedProtection{Last: 2, Days: 30}, p.ProtectDeployed)
	assert.Equal(t, DeployedProtection{Last: 2, Days: 30}, p.Retention[0].ProtectDeployed)
	assert.Equal(t, DeployedProtection{Last: 5, Days: 30}, p.Retention[1].ProtectDeployed)
	assert.False(t, p.Retention[2].ProtectDeployed.Enabled())
	assert.Equal(t, DeployedProtection{Last: 2}, p.Retention[3].ProtectDeployed)
	assert.False(t, p.Retention[4].ProtectDeployed.Enabled(), "an unmanaged rule writes nothing to protect with")
	assert.NotNil(t, p.Audits.Conflicts)

	p, err = Parse([]byte("retention:\n  - match: \"a/**\"\n    keep_last: 3\naudits:\n  conflicts: {enabled: false}\n"), "p.yaml")
	require.NoError(t, err)
	assert.False(t, p.Retention[0].ProtectDeployed.Enabled(), "off by default")
	assert.Nil(t, p.Audits.Conflicts)
}

// A problem inside an anchored node is reported where each alias uses it,
// once per use, and not at the anchor.
func TestAliasErrorsNameTheAliasLineOnce(t *testing.T) {
	_, err := Parse([]byte(`version: 1
x-defaults: &d
  keep_last: -1
  match: "z/*"
retention:
  - *d
  - match: "y/*"
    keep_last: 3
`), "p.yaml")
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Contains(t, lines, "p.yaml:6:5: keep_last must be between 1 and 1000, not -1")
	assert.Equal(t, 1, strings.Count(err.Error(), "keep_last must be"), err.Error())
	assert.NotContains(t, err.Error(), "p.yaml:3:", "the anchor is not where the rule is used")
}

func TestProtectRegexpsAreSentBoundAtBothEnds(t *testing.T) {
	p, err := Parse([]byte(`retention:
  - match: "**"
    keep_last: 5
    protect: ["/^v\\d+$/", "/.*rc.*/", "/^release-.*/", "/^a$|^b$/", "/.*/", "/(^x)$/"]
`), "p.yaml")
	require.NoError(t, err)
	var got []string
	for _, s := range p.Retention[0].Protect {
		assert.Equal(t, swr.SelectorRegexp, s.Kind)
		got = append(got, s.Pattern)
	}
	assert.Equal(t, []string{`^v\d+$`, `^(?:.*rc.*)$`, `^(?:^release-.*)$`, `^(?:^a$|^b$)$`, `^(?:.*)$`, `^(?:(^x)$)$`}, got)
	for _, pattern := range got {
		// Under either anchoring the selector matches exactly the tags
		// whose whole name the policy's expression matches.
		sub := regexp.MustCompile(pattern)
		whole := regexp.MustCompile(`^(?:` + pattern + `)$`)
		for _, tag := range []string{"v1", "v1-rc1", "rc", "release-1", "a", "b", "ab", "x", "xx", "latest"} {
			assert.Equal(t, whole.MatchString(tag), sub.MatchString(tag), "%s on %s", pattern, tag)
		}
	}
}

func TestCheckPortableAcceptsTheDocumentedSubset(t *testing.T) {
	for _, expr := range []string{
		`^v\d+\.\d+\.\d+$`, `^(main|release)-.*`, `^[a-f0-9]{7,40}$`, `^build-\d{2}$`, `.*-rc\d+$`,
		`^[^_]+$`, `^(?:a|b)?c*d+$`, `^x{3,}$`, `^\w+\s?\S*$`, `^a.*?b$`, `^\[\]\{\}\(\)\|\\\/\-\.$`,
	} {
		assert.Empty(t, checkPortable(expr), expr)
	}
}

func TestCheckPortableRefusesEscapesThatDiffer(t *testing.T) {
	for _, expr := range []string{`^\bx$`, `^\x41$`, `^\n$`, `^\p{L}$`, `^\Qa\E$`, `^(a)\1$`, `^\A$`, `^é$`} {
		assert.NotEmpty(t, checkPortable(expr), expr)
	}
	assert.Empty(t, checkPortable(`^a\&\&b\_c\#$`), "any punctuation may be escaped")
}
