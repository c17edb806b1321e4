package directory

import "strings"

// SplitRepositoryKey splits a directory repository key "namespace/repo"
// at its first '/'. The repository part may itself contain '/'.
func SplitRepositoryKey(key string) (namespace, repository string, ok bool) {
	namespace, repository, ok = strings.Cut(key, "/")
	return namespace, repository, ok && namespace != "" && repository != ""
}

// RepositoryKey joins a namespace and a repository into the key used in the
// directory's repositories maps.
func RepositoryKey(namespace, repository string) string {
	return namespace + "/" + repository
}
