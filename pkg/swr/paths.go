package swr

import (
	"errors"
	"fmt"
	"strings"
)

// API path prefixes.
const (
	manageBase     = "/v2/manage"
	namespacesBase = manageBase + "/namespaces"
)

// RepositoryPathName returns a repository name in its URL-path form: every
// "/" becomes "$" (swr-api.md §1.3). Request bodies use the real name.
func RepositoryPathName(repo string) string { return strings.ReplaceAll(repo, "/", "$") }

// segment checks one path parameter: it must be non-empty and hold no "/".
func segment(what, v string) error {
	if v == "" {
		return fmt.Errorf("swr: %s is empty", what)
	}
	if strings.Contains(v, "/") {
		return fmt.Errorf("swr: %s %q contains '/'", what, v)
	}
	return nil
}

// namespacePath returns /v2/manage/namespaces/{ns}.
func namespacePath(ns string) (string, error) {
	if err := segment("namespace", ns); err != nil {
		return "", err
	}
	return namespacesBase + "/" + ns, nil
}

// repositoryPath returns /v2/manage/namespaces/{ns}/repos/{repo}, with the
// repository name in its $ form.
func repositoryPath(ns, repo string) (string, error) {
	p, err := namespacePath(ns)
	if err != nil {
		return "", err
	}
	if repo == "" {
		return "", errors.New("swr: repository is empty")
	}
	if strings.HasPrefix(repo, "/") || strings.HasSuffix(repo, "/") {
		return "", fmt.Errorf("swr: repository %q starts or ends with '/'", repo)
	}
	return p + "/repos/" + RepositoryPathName(repo), nil
}

// repositorySubPath returns repositoryPath(ns, repo) + "/" + sub.
func repositorySubPath(ns, repo, sub string) (string, error) {
	p, err := repositoryPath(ns, repo)
	if err != nil {
		return "", err
	}
	return p + "/" + sub, nil
}
