package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// The AWS Parameters and Secrets Lambda Extension's local endpoint.
const (
	// DefaultExtensionPort is the extension's port when
	// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT does not set one.
	DefaultExtensionPort = "2773"
	// ExtensionTokenHeader carries AWS_SESSION_TOKEN to the extension.
	ExtensionTokenHeader = "X-Aws-Parameters-Secrets-Token"
	// maxSecretBytes bounds an answer of the extension.
	maxSecretBytes = 64 << 10
	// DefaultExtensionTimeout bounds one read when SecretsExtension leaves
	// Timeout zero.
	DefaultExtensionTimeout = 10 * time.Second
)

// SecretsExtension reads Secrets Manager secrets through the AWS
// Parameters and Secrets Lambda Extension, a local HTTP server in the
// Lambda execution environment, so that the functions need no AWS SDK.
type SecretsExtension struct {
	// URL is the extension's base URL, e.g. http://localhost:2773.
	URL string
	// Token is the session token the extension requires
	// (AWS_SESSION_TOKEN of the function).
	Token string
	// HTTPClient makes the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Timeout bounds one read (DefaultExtensionTimeout when 0).
	Timeout time.Duration
}

// SecretsExtensionFromEnv returns the extension of the current Lambda
// execution environment: port PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
// (default 2773) on localhost, token AWS_SESSION_TOKEN. getenv is
// os.Getenv when nil.
func SecretsExtensionFromEnv(getenv func(string) string) SecretsExtension {
	if getenv == nil {
		getenv = os.Getenv
	}
	port := getenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
	if port == "" {
		port = DefaultExtensionPort
	}
	return SecretsExtension{URL: "http://localhost:" + port, Token: getenv("AWS_SESSION_TOKEN")}
}

// SecretString returns the SecretString of secret id (a name or an ARN).
// Errors never carry the secret's value.
func (x SecretsExtension) SecretString(ctx context.Context, id string) (string, error) {
	if x.Token == "" {
		return "", fmt.Errorf("secret %s: no session token for the secrets extension (AWS_SESSION_TOKEN is empty)", id)
	}
	timeout := x.Timeout
	if timeout <= 0 {
		timeout = DefaultExtensionTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := x.URL + "/secretsmanager/get?secretId=" + url.QueryEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", id, err)
	}
	req.Header.Set(ExtensionTokenHeader, x.Token)
	client := x.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("secret %s: secrets extension: %w", id, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSecretBytes+1))
	if err != nil {
		return "", fmt.Errorf("secret %s: secrets extension: read: %w", id, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("secret %s: secrets extension answered HTTP %d", id, resp.StatusCode)
	}
	if len(body) > maxSecretBytes {
		return "", fmt.Errorf("secret %s: the answer is larger than %d bytes", id, maxSecretBytes)
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if json.Unmarshal(body, &out) != nil || out.SecretString == nil {
		return "", fmt.Errorf("secret %s: the secrets extension's answer holds no SecretString", id)
	}
	return *out.SecretString, nil
}
