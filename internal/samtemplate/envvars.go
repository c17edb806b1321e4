package samtemplate

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Where a variable is set, as envvars.txt says.
const (
	// WhereTemplate variables are declared for every function in the
	// template and in env.json.
	WhereTemplate = "template"
	// WhereReceiver variables are read only by the HTTP receiver.
	WhereReceiver = "receiver"
	// WherePlatform variables are set by AWS Lambda.
	WherePlatform = "platform"
)

// EnvVar is one line of the environment variable list.
type EnvVar struct {
	Name    string
	Where   string
	Default string
	Meaning string
	Line    int
}

// LoadEnvVars reads the environment variable list at path.
func LoadEnvVars(path string) ([]EnvVar, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vars, err := ParseEnvVars(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

// ParseEnvVars parses "NAME | where | default | meaning" lines, skipping
// blank lines and # comments.
func ParseEnvVars(data []byte) ([]EnvVar, error) {
	var vars []EnvVar
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.SplitN(text, "|", 4)
		if len(fields) != 4 {
			return nil, fmt.Errorf("line %d: want NAME | where | default | meaning, got %q", line, text)
		}
		v := EnvVar{
			Name:    strings.TrimSpace(fields[0]),
			Where:   strings.TrimSpace(fields[1]),
			Default: strings.TrimSpace(fields[2]),
			Meaning: strings.TrimSpace(fields[3]),
			Line:    line,
		}
		switch {
		case v.Name == "" || strings.ContainsFunc(v.Name, func(r rune) bool {
			return (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_'
		}):
			return nil, fmt.Errorf("line %d: %q is not an environment variable name (A-Z, 0-9, _)", line, v.Name)
		case v.Where != WhereTemplate && v.Where != WhereReceiver && v.Where != WherePlatform:
			return nil, fmt.Errorf("line %d: %s: where is %q, want %s, %s or %s", line, v.Name, v.Where, WhereTemplate, WhereReceiver, WherePlatform)
		case v.Default == "" || v.Meaning == "":
			return nil, fmt.Errorf("line %d: %s: default and meaning must not be empty (write - for no default)", line, v.Name)
		}
		if first, dup := seen[v.Name]; dup {
			return nil, fmt.Errorf("line %d: %s is already listed on line %d", line, v.Name, first)
		}
		seen[v.Name] = line
		vars = append(vars, v)
	}
	return vars, sc.Err()
}
