package samtemplate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kelseyhightower/envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/internal/samtemplate"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

const (
	templatePath = "../../template.yaml"
	envJSONPath  = "../../env.json"
	functionsDir = "../../functions"
	// projectDir is where sam build and make run.
	projectDir = "../.."
)

// deployedFunction is what the project expects of one SAM function.
type deployedFunction struct {
	id  string
	dir string // under functions/
	// config is the function's configuration struct (a pointer).
	config any
	// scheduleType is the CloudEvent type of its schedule, "" for none.
	scheduleType string
	// url says whether it has a Function URL (webhook ingress).
	url bool
	// sqs says whether it consumes the sweep queue.
	sqs bool
}

func deployedFunctions() []deployedFunction {
	return []deployedFunction{
		{id: "OnPushFunction", dir: "onpush", config: &config.OnPush{}, url: true},
		{id: "RetentionSweepFunction", dir: "retentionsweep", config: &config.Sweep{}, scheduleType: events.TypeSweepRequested, sqs: true},
		{id: "GrantSyncFunction", dir: "grantsync", config: &config.GrantSync{}, scheduleType: events.TypeGrantSyncRequested, url: true},
	}
}

func loadTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Load(templatePath)
	require.NoError(t, err)
	return tmpl
}

// templateVariables lists, sorted, the variables the template declares
// for every function (in Globals, so that env.json can set any of them):
// every variable a function's configuration reads, and the log level the
// runtime reads.
func templateVariables() []string {
	set := map[string]bool{function.EnvLogLevel: true}
	for _, fn := range deployedFunctions() {
		for _, name := range config.Variables(fn.config) {
			set[name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// notDeclared are variables the code reads that Lambda sets itself (it
// refuses them in a template) or that only the HTTP receiver reads.
var notDeclared = []string{function.EnvRuntimeAPI, function.EnvLambdaLogFormat, function.EnvLambdaLogLevel, function.EnvPort}

func loadEnvJSON(t *testing.T) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(envJSONPath)
	require.NoError(t, err)
	var envJSON map[string]map[string]string
	require.NoError(t, json.Unmarshal(data, &envJSON), "env.json maps function logical ids to string variables")
	return envJSON
}

func TestTemplateDeclaresTheProjectFunctions(t *testing.T) {
	tmpl := loadTemplate(t)
	transform, _ := samtemplate.Scalar(tmpl.Root, "Transform")
	assert.Equal(t, "AWS::Serverless-2016-10-31", transform)

	var want []string
	for _, fn := range deployedFunctions() {
		want = append(want, fn.id)
	}
	slices.Sort(want)
	assert.Equal(t, want, tmpl.FunctionIDs())
}

func TestFunctionsBuildWithTheMakefileForProvidedAL2023OnArm64(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			f, ok := tmpl.Functions[fn.id]
			require.True(t, ok, "template has no %s", fn.id)
			for key, want := range map[string]string{"CodeUri": ".", "Handler": "bootstrap", "Runtime": "provided.al2023"} {
				got, _ := samtemplate.Scalar(f.Properties, key)
				assert.Equal(t, want, got, "%s (line %d) %s after merging Globals", fn.id, f.Line, key)
			}
			assert.Equal(t, []string{"arm64"}, samtemplate.Strings(f.Properties, "Architectures"),
				"exactly one architecture; SAM concatenates Globals and function lists")
			method, _ := samtemplate.Scalar(f.Metadata, "BuildMethod")
			assert.Equal(t, "makefile", method, "%s Metadata.BuildMethod", fn.id)
		})
	}
}

// artifactsPlaceholder stands for the ARTIFACTS_DIR that sam build sets,
// in the commands make prints.
const artifactsPlaceholder = "@ARTIFACTS_DIR@"

// makeRecipe returns the commands make would run for target (make -n),
// one per line, with $(ARTIFACTS_DIR) as written in the Makefile, and
// whether make knows the target.
func makeRecipe(t *testing.T, target string) ([]string, bool) {
	t.Helper()
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command(mk, "-n", "--no-print-directory", target, "ARTIFACTS_DIR="+artifactsPlaceholder)
	cmd.Dir = projectDir
	out, err := cmd.Output()
	if err != nil {
		return nil, false
	}
	text := strings.ReplaceAll(strings.TrimSpace(string(out)), artifactsPlaceholder, "$(ARTIFACTS_DIR)")
	return strings.Split(text, "\n"), true
}

func TestMakefileBuildsEachFunctionBootstrap(t *testing.T) {
	for _, target := range []string{"test", "build", "bench", "demo", "bootstraps", "rie"} {
		_, ok := makeRecipe(t, target)
		assert.True(t, ok, "Makefile target %s", target)
	}
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			lines, ok := makeRecipe(t, "build-"+fn.id)
			require.True(t, ok, "Makefile has no build-%s target (sam build runs it)", fn.id)
			recipe := strings.Join(lines, "\n")
			for _, want := range []string{
				"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath", `-ldflags="-s -w"`,
				`-o "$(ARTIFACTS_DIR)/bootstrap"`,
			} {
				assert.Contains(t, recipe, want, "build-%s", fn.id)
			}
			built := regexp.MustCompile(`\./functions/([a-z0-9_-]+)`).FindAllStringSubmatch(recipe, -1)
			require.Len(t, built, 1, "build-%s must build exactly one ./functions/<dir> package:\n%s", fn.id, recipe)
			assert.Equal(t, fn.dir, built[0][1], "build-%s builds the wrong directory", fn.id)
		})
	}
}

// TestFunctionDirectoriesAreMainPackages checks each built directory
// against the code. It skips a function whose directory does not exist
// yet, and fails for one that exists but is not a main package.
func TestFunctionDirectoriesAreMainPackages(t *testing.T) {
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			dir := filepath.Join(functionsDir, fn.dir)
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				t.Skipf("functions/%s does not exist yet: build-%s cannot be checked against it", fn.dir, fn.id)
			}
			pkgs := goPackageNames(t, dir)
			require.NotEmpty(t, pkgs, "functions/%s has no Go files", fn.dir)
			assert.Equal(t, []string{"main"}, pkgs, "functions/%s must be a main package (it builds bootstrap)", fn.dir)
		})
	}
}

func TestEveryFunctionDirectoryIsDeployed(t *testing.T) {
	entries, err := os.ReadDir(functionsDir)
	if os.IsNotExist(err) {
		t.Skip("functions/ does not exist yet")
	}
	require.NoError(t, err)
	known := map[string]bool{}
	for _, fn := range deployedFunctions() {
		known[fn.dir] = true
	}
	for _, e := range entries {
		if e.IsDir() && len(goPackageNames(t, filepath.Join(functionsDir, e.Name()))) > 0 {
			assert.True(t, known[e.Name()], "functions/%s is not deployed by template.yaml", e.Name())
		}
	}
}

// goPackageNames returns the distinct package names of the non-test Go
// files in dir.
func goPackageNames(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		require.NoError(t, err)
		if !slices.Contains(names, parsed.Name.Name) {
			names = append(names, parsed.Name.Name)
		}
	}
	return names
}

func TestEventsDeliverCloudEventsAndPartialBatchFailures(t *testing.T) {
	tmpl := loadTemplate(t)
	decoder, err := events.NewDecoder(events.Config{})
	require.NoError(t, err)

	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			f := tmpl.Functions[fn.id]
			require.NotNil(t, f.Properties)
			timeout := intScalar(t, f.Properties, "Timeout")
			var schedules, queues int
			for _, name := range samtemplate.Keys(f.Properties, "Events") {
				ev := samtemplate.Lookup(f.Properties, "Events", name)
				typ, _ := samtemplate.Scalar(ev, "Type")
				props := samtemplate.Lookup(ev, "Properties")
				switch typ {
				case "SQS":
					queues++
					assert.Contains(t, samtemplate.Strings(props, "FunctionResponseTypes"), "ReportBatchItemFailures",
						"%s event %s (line %d) must report partial batch failures", fn.id, name, ev.Line)
					queue := getAttResource(t, tmpl, samtemplate.Lookup(props, "Queue"), "AWS::SQS::Queue")
					assert.GreaterOrEqual(t, intScalar(t, queue.Node, "Properties", "VisibilityTimeout"), timeout,
						"queue %s: Lambda refuses a visibility timeout below the function timeout", queue.LogicalID)
					getAttResource(t, tmpl, samtemplate.Lookup(queue.Node, "Properties", "RedrivePolicy", "deadLetterTargetArn"), "AWS::SQS::Queue")
				case "ScheduleV2":
					schedules++
					input, ok := samtemplate.Scalar(props, "Input")
					require.True(t, ok, "%s event %s (line %d) needs an Input CloudEvent", fn.id, name, ev.Line)
					assertScheduleCloudEvent(t, decoder, input, fn.scheduleType)
					// Without Name or OmitName, SAM names the schedule after
					// the function and event ids, the same in every stack:
					// two stacks would collide in one account and region.
					omit, _ := samtemplate.Scalar(props, "OmitName")
					_, named := samtemplate.Scalar(props, "Name")
					assert.True(t, omit == "true" && !named, "%s event %s (line %d) needs OmitName: true and no Name, so that several stacks fit in one account",
						fn.id, name, ev.Line)
					getAttResource(t, tmpl, samtemplate.Lookup(props, "DeadLetterConfig", "Arn"), "AWS::SQS::Queue")
				default:
					t.Errorf("%s event %s (line %d) has type %q; the functions take SQS and ScheduleV2 events (webhooks come through the Function URL)",
						fn.id, name, ev.Line, typ)
				}
			}
			assert.Equal(t, fn.scheduleType != "", schedules == 1, "%s: one schedule expected: %v", fn.id, fn.scheduleType != "")
			assert.Equal(t, fn.sqs, queues == 1, "%s: sweep queue consumer: %v", fn.id, fn.sqs)
		})
	}
}

// assertScheduleCloudEvent checks a schedule Input: a CloudEvent of the
// project's own type that the real decoder accepts once EventBridge
// Scheduler has filled in its context attributes.
func assertScheduleCloudEvent(t *testing.T, decoder *events.Decoder, input, wantType string) {
	t.Helper()
	var ce map[string]any
	require.NoError(t, json.Unmarshal([]byte(input), &ce), "schedule Input must be JSON: %s", input)
	assert.Equal(t, "1.0", ce["specversion"])
	assert.True(t, strings.HasPrefix(fmt.Sprint(ce["type"]), events.TypePrefix), "type %v", ce["type"])
	assert.Equal(t, wantType, ce["type"])
	assert.NotEmpty(t, ce["id"])
	assert.NotEmpty(t, ce["source"])

	filled := strings.NewReplacer(
		"<aws.scheduler.execution-id>", "d32c5kddcf5bb8c3",
		"<aws.scheduler.schedule-arn>", "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/tick",
		"<aws.scheduler.scheduled-time>", "2026-03-02T02:00:00Z",
		"<aws.scheduler.attempt-number>", "1",
	).Replace(input)
	require.NotContains(t, filled, "<aws.", "unknown scheduler context attribute")
	batch, err := decoder.DecodeLambda(context.Background(), json.RawMessage(filled))
	require.NoError(t, err, "decode %s", filled)
	require.Len(t, batch.Events, 1)
	assert.Equal(t, wantType, events.TypeOf(batch.Events[0].Kind))
	assert.Equal(t, "d32c5kddcf5bb8c3", batch.Events[0].ID)
}

func TestWebhookIngressIsAFunctionURLAuthenticatedByTheFunction(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		f := tmpl.Functions[fn.id]
		cfg := samtemplate.Lookup(f.Properties, "FunctionUrlConfig")
		if !fn.url {
			assert.Nil(t, cfg, "%s has no webhook ingress", fn.id)
			continue
		}
		require.NotNil(t, cfg, "%s needs a Function URL", fn.id)
		auth, _ := samtemplate.Scalar(cfg, "AuthType")
		assert.Equal(t, "NONE", auth, "%s: webhook senders cannot sign AWS requests", fn.id)
		key := mappingKey(samtemplate.Lookup(tmpl.Resources[fn.id].Node, "Properties"), "FunctionUrlConfig")
		require.NotNil(t, key)
		assert.Regexp(t, `(?i)authorization|hmac`, key.HeadComment,
			"%s: say next to AuthType NONE what authenticates the requests instead", fn.id)
	}
}

func TestAsyncInvocationsAndQueuesHaveDeadLetterQueues(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		dlq := samtemplate.Lookup(tmpl.Functions[fn.id].Properties, "DeadLetterQueue")
		require.NotNil(t, dlq, "%s: failed asynchronous invocations need a dead-letter queue", fn.id)
		typ, _ := samtemplate.Scalar(dlq, "Type")
		assert.Equal(t, "SQS", typ)
		getAttResource(t, tmpl, samtemplate.Lookup(dlq, "TargetArn"), "AWS::SQS::Queue")
	}
}

func TestPoliciesAreLeastPrivilege(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		policies := samtemplate.Lookup(tmpl.Functions[fn.id].Properties, "Policies")
		require.NotNil(t, policies, "%s", fn.id)
		for _, p := range conditionalItems(policies.Content) {
			for _, st := range seqOrOne(samtemplate.Lookup(p, "Statement")) {
				effect, _ := samtemplate.Scalar(st, "Effect")
				assert.Equal(t, "Allow", effect)
				actions := seqOrOne(samtemplate.Lookup(st, "Action"))
				for _, action := range actions {
					assert.NotContains(t, action.Value, "*", "%s (line %d): name the actions", fn.id, action.Line)
				}
				secrets := len(actions) == 1 && actions[0].Value == "secretsmanager:GetSecretValue"
				for _, res := range seqOrOne(samtemplate.Lookup(st, "Resource")) {
					assert.False(t, res.Kind == yaml.ScalarNode && !samtemplate.IsIntrinsic(res) && strings.Contains(res.Value, "*"),
						"%s (line %d): resource %q is a wildcard", fn.id, res.Line, res.Value)
					if !samtemplate.IsIntrinsic(res) {
						continue
					}
					refs := references(res)
					if secrets {
						assert.Equal(t, []string{"TargetSecretArns"}, refs, "%s (line %d): secrets read are exactly the target secrets", fn.id, res.Line)
						continue
					}
					assert.True(t, slices.Contains(refs, "PolicyLocation") || slices.Contains(refs, "DirectoryLocation") || slices.Contains(refs, "TargetsLocation"),
						"%s (line %d): S3 reads are limited to the policy, directory and targets objects", fn.id, res.Line)
				}
			}
		}
	}
}

func TestIntrinsicReferencesResolve(t *testing.T) {
	tmpl := loadTemplate(t)
	known := func(name string) bool {
		if strings.HasPrefix(name, "AWS::") {
			return true
		}
		if _, ok := tmpl.Parameters[name]; ok {
			return true
		}
		if _, ok := tmpl.Resources[name]; ok {
			return true
		}
		// SAM generates <LogicalId>Url for a function with a Function URL.
		if id, ok := strings.CutSuffix(name, "Url"); ok {
			return samtemplate.Lookup(tmpl.Functions[id].Properties, "FunctionUrlConfig") != nil
		}
		return false
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if name, arg, ok := samtemplate.Intrinsic(n); ok {
			switch name {
			case "Ref", "Fn::GetAtt":
				target, _, _ := strings.Cut(arg.Value, ".")
				if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
					target = arg.Content[0].Value
				}
				assert.True(t, known(target), "line %d: %s to unknown %q", n.Line, name, target)
			case "Fn::Sub":
				local := map[string]bool{}
				if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
					for _, k := range samtemplate.Keys(arg.Content[1]) {
						local[k] = true
					}
				}
				for _, m := range regexp.MustCompile(`\$\{([^}!]+)\}`).FindAllStringSubmatch(subString(arg), -1) {
					target, _, _ := strings.Cut(m[1], ".")
					assert.True(t, local[target] || known(target), "line %d: !Sub references unknown %q", n.Line, target)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(tmpl.Root)
}

func TestTemplateDeclaresEveryVariableForEveryFunction(t *testing.T) {
	tmpl := loadTemplate(t)
	want := templateVariables()
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			declared := samtemplate.Keys(tmpl.Functions[fn.id].Properties, "Environment", "Variables")
			for _, name := range append(config.Variables(fn.config), function.EnvLogLevel) {
				assert.Contains(t, declared, name, "functions/%s reads %s: declare it so that env.json can set it", fn.dir, name)
			}
			for _, name := range notDeclared {
				assert.NotContains(t, declared, name, "%s is set by Lambda or read by the HTTP receiver only", name)
			}
			slices.Sort(declared)
			assert.Equal(t, want, declared, "Environment.Variables (Globals merged) must be exactly the variables the functions read")
		})
	}
}

func TestTemplateKeepsSecretsOutOfPlainText(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		env := samtemplate.Lookup(tmpl.Functions[fn.id].Properties, "Environment", "Variables")
		for i := 0; i+1 < len(env.Content); i += 2 {
			name, value := env.Content[i].Value, env.Content[i+1]
			if !redact.IsSensitiveKey(name) {
				continue
			}
			if v, plain := samtemplate.Scalar(value); plain || !samtemplate.IsIntrinsic(value) {
				assert.Empty(t, v, "%s: %s (line %d) must come from Secrets Manager, not plain text", fn.id, name, value.Line)
				continue
			}
			fnName, arg, _ := samtemplate.Intrinsic(value)
			assert.Equal(t, "Fn::Sub", fnName, "%s: %s (line %d)", fn.id, name, value.Line)
			assert.Contains(t, subString(arg), "{{resolve:secretsmanager:", "%s: %s (line %d) must be a Secrets Manager dynamic reference", fn.id, name, value.Line)
		}
	}
}

func TestTemplateValuesParseAsTheirTypes(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			env := samtemplate.Lookup(tmpl.Functions[fn.id].Properties, "Environment", "Variables")
			for i := 0; i+1 < len(env.Content); i += 2 {
				t.Setenv(env.Content[i].Value, resolve(tmpl, env.Content[i+1]))
			}
			assert.NoError(t, envconfig.Process("", fn.config), "deployed values of %s", fn.id)
		})
	}
}

func TestEnvJSONOverridesEveryVariableOfEveryFunction(t *testing.T) {
	envJSON := loadEnvJSON(t)
	want := templateVariables()
	var ids []string
	for _, fn := range deployedFunctions() {
		ids = append(ids, fn.id)
		t.Run(fn.id, func(t *testing.T) {
			vars, ok := envJSON[fn.id]
			require.True(t, ok, "env.json has no %s", fn.id)
			var names []string
			for name, value := range vars {
				names = append(names, name)
				t.Setenv(name, value)
			}
			slices.Sort(names)
			assert.Equal(t, want, names)
			assert.NoError(t, envconfig.Process("", fn.config), "env.json values of %s", fn.id)
		})
	}
	slices.Sort(ids)
	assert.Equal(t, ids, slices.Sorted(maps.Keys(envJSON)), "env.json keys are the template's functions")
}

// bundled maps the variables that name a file a function reads to the name
// of the copy its build target puts next to the bootstrap.
var bundled = map[string]string{"AUTOPILOT_POLICY": "policy.yaml", "AUTOPILOT_DIRECTORY": "directory.yaml"}

// taskRoot is where Lambda, and `sam local invoke`, unpack a function's
// artifact.
const taskRoot = "/var/task/"

var copyToArtifacts = regexp.MustCompile(`^cp\s+"?([^"\s]+)"?\s+"?\$\(ARTIFACTS_DIR\)/([^"\s]+)"?$`)

// TestSamLocalInvokeFindsTheBundledFiles checks that `sam local invoke
// --env-vars env.json` finds the policy and directory: after `sam build`
// the container holds only the build target's artifacts, so each file a
// function reads must be copied there by its build-<LogicalId> target, and
// env.json must name that copy under /var/task.
func TestSamLocalInvokeFindsTheBundledFiles(t *testing.T) {
	envJSON := loadEnvJSON(t)
	for _, fn := range deployedFunctions() {
		t.Run(fn.id, func(t *testing.T) {
			copies := map[string]string{} // artifact name → source
			recipe, _ := makeRecipe(t, "build-"+fn.id)
			for _, line := range recipe {
				if m := copyToArtifacts.FindStringSubmatch(line); m != nil {
					copies[m[2]] = m[1]
				}
			}
			reads := config.Variables(fn.config)
			for _, name := range slices.Sorted(maps.Keys(bundled)) {
				file, value := bundled[name], envJSON[fn.id][name]
				if !slices.Contains(reads, name) {
					assert.Empty(t, value, "env.json: %s does not read %s", fn.dir, name)
					assert.NotContains(t, copies, file, "build-%s bundles %s, which %s does not read", fn.id, file, fn.dir)
					continue
				}
				assert.Equal(t, taskRoot+file, value, "env.json: %s of %s must name the bundled copy", name, fn.id)
				src, ok := copies[file]
				if !assert.True(t, ok, "build-%s must copy a file to $(ARTIFACTS_DIR)/%s", fn.id, file) {
					continue
				}
				data, err := os.ReadFile(filepath.Join(projectDir, src))
				require.NoError(t, err, "build-%s copies %s", fn.id, src)
				switch name {
				case "AUTOPILOT_POLICY":
					pol, err := policy.Parse(data, src)
					require.NoError(t, err)
					assert.Equal(t, policy.ModeAudit, pol.Mode, "%s: an example never writes to SWR", src)
				case "AUTOPILOT_DIRECTORY":
					_, err := directory.Parse(data, src)
					require.NoError(t, err)
				}
			}
		})
	}
}

// TestBuildTargetsBundleTheFilesTheyAreGiven runs the copying part of
// each build target with make, the build itself replaced by a no-op, once
// with the default sources and once with POLICY_FILE and DIRECTORY_FILE
// from the environment, as `POLICY_FILE=… sam build` passes them.
func TestBuildTargetsBundleTheFilesTheyAreGiven(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not on PATH")
	}
	own := t.TempDir()
	ownPolicy := filepath.Join(own, "my-policy.yaml")
	ownDirectory := filepath.Join(own, "my-directory.yaml")
	require.NoError(t, os.WriteFile(ownPolicy, []byte("version: 1\n"), 0o644))
	require.NoError(t, os.WriteFile(ownDirectory, []byte("teams: []\n"), 0o644))

	for _, fn := range deployedFunctions() {
		for _, own := range []bool{false, true} {
			artifacts := t.TempDir()
			cmd := exec.Command(mk, "--no-print-directory", "build-"+fn.id, "ARTIFACTS_DIR="+artifacts, "LAMBDA_BUILD=true")
			cmd.Dir = projectDir
			cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
				// Neither the caller's choice of files nor, when `make test`
				// runs this, the outer make's flags and overrides.
				name, _, _ := strings.Cut(kv, "=")
				return slices.Contains([]string{"POLICY_FILE", "DIRECTORY_FILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}, name)
			})
			if own {
				cmd.Env = append(cmd.Env, "POLICY_FILE="+ownPolicy, "DIRECTORY_FILE="+ownDirectory)
			}
			if out, err := cmd.CombinedOutput(); !assert.NoError(t, err, "make build-%s:\n%s", fn.id, out) {
				continue
			}
			for _, name := range config.Variables(fn.config) {
				file, ok := bundled[name]
				if !ok {
					continue
				}
				want := filepath.Join(projectDir, "examples", file)
				if own {
					want = map[string]string{"AUTOPILOT_POLICY": ownPolicy, "AUTOPILOT_DIRECTORY": ownDirectory}[name]
				}
				wantData, err := os.ReadFile(want)
				require.NoError(t, err)
				got, err := os.ReadFile(filepath.Join(artifacts, file))
				if assert.NoError(t, err, "build-%s bundles %s", fn.id, file) {
					assert.Equal(t, string(wantData), string(got), "build-%s: %s is a copy of %s", fn.id, file, want)
				}
			}
		}
	}
}

// resolve gives a template value as the function would see it, with
// parameters at their defaults (or a placeholder for required ones) and
// other references as placeholders.
func resolve(tmpl *samtemplate.Template, n *yaml.Node) string {
	name, arg, ok := samtemplate.Intrinsic(n)
	switch {
	case !ok:
		return n.Value
	case name == "Ref":
		if p, isParam := tmpl.Parameters[arg.Value]; isParam {
			if def, has := samtemplate.Scalar(p, "Default"); has {
				return def
			}
			return "placeholder-" + arg.Value
		}
		return "https://ref.example/" + arg.Value
	case name == "Fn::Sub":
		return subString(arg)
	}
	return "placeholder"
}

// getAttResource checks that n is !GetAtt <Resource>.Arn of a resource of
// the given type and returns the resource.
func getAttResource(t *testing.T, tmpl *samtemplate.Template, n *yaml.Node, typ string) samtemplate.Resource {
	t.Helper()
	require.NotNil(t, n, "missing reference to a %s", typ)
	name, arg, ok := samtemplate.Intrinsic(n)
	require.True(t, ok && name == "Fn::GetAtt", "line %d: want !GetAtt <%s>.Arn", n.Line, typ)
	target, attr, _ := strings.Cut(arg.Value, ".")
	if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
		target, attr = arg.Content[0].Value, arg.Content[1].Value
	}
	assert.Equal(t, "Arn", attr, "line %d", n.Line)
	r, ok := tmpl.Resources[target]
	require.True(t, ok, "line %d: no resource %s", n.Line, target)
	assert.Equal(t, typ, r.Type, "line %d: %s", n.Line, target)
	return r
}

func intScalar(t *testing.T, n *yaml.Node, path ...string) int {
	t.Helper()
	v := samtemplate.Lookup(n, path...)
	require.NotNil(t, v, "missing %s", strings.Join(path, "."))
	var i int
	require.NoError(t, v.Decode(&i), "line %d: %s is not an integer", v.Line, strings.Join(path, "."))
	return i
}

// conditionalItems returns the list items, with each !If item replaced by
// its branches (AWS::NoValue left out), so that both deployments are
// checked.
func conditionalItems(items []*yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, it := range items {
		name, arg, ok := samtemplate.Intrinsic(it)
		if !ok || name != "Fn::If" {
			out = append(out, it)
			continue
		}
		if arg.Kind == yaml.SequenceNode && len(arg.Content) == 3 {
			for _, branch := range arg.Content[1:] {
				if ref, v, isRef := samtemplate.Intrinsic(branch); isRef && ref == "Ref" && v.Value == "AWS::NoValue" {
					continue
				}
				out = append(out, conditionalItems([]*yaml.Node{branch})...)
			}
		}
	}
	return out
}

func seqOrOne(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode && !samtemplate.IsIntrinsic(n) {
		return n.Content
	}
	return []*yaml.Node{n}
}

func mappingKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// subString returns the template string of a Fn::Sub argument.
func subString(arg *yaml.Node) string {
	if arg.Kind == yaml.SequenceNode && len(arg.Content) > 0 {
		return arg.Content[0].Value
	}
	return arg.Value
}

// references lists the names that Ref, GetAtt and Sub inside n refer to.
func references(n *yaml.Node) []string {
	var out []string
	if name, arg, ok := samtemplate.Intrinsic(n); ok {
		switch name {
		case "Ref", "Fn::GetAtt":
			target, _, _ := strings.Cut(arg.Value, ".")
			out = append(out, target)
		case "Fn::Sub":
			for _, m := range regexp.MustCompile(`\$\{([^}!.]+)`).FindAllStringSubmatch(subString(arg), -1) {
				out = append(out, m[1])
			}
		}
	}
	for _, c := range n.Content {
		out = append(out, references(c)...)
	}
	return out
}
