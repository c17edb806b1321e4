package grantplan

import "github.com/swr-autopilot/swr-autopilot/pkg/directory"

// MissingNamespaces returns, sorted, the namespaces the directory names (in
// a team's namespaces or repositories, or in managed_namespaces) that are
// not among existing. Creating them is the caller's decision: the directory
// opts in with create_missing_namespaces.
func MissingNamespaces(d *directory.Directory, existing []string) []string {
	have := make(map[string]bool, len(existing))
	for _, ns := range existing {
		have[ns] = true
	}
	var missing []string
	for _, ns := range d.Namespaces() {
		if !have[ns] {
			missing = append(missing, ns)
		}
	}
	return missing
}
