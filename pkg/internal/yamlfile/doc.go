// Package yamlfile holds what the line-precise parsers of the project's
// YAML files (the policy file, the team directory, the targets file)
// share: problems at a file position, reading the one document of a
// file, alias resolution, naming what a node holds, a checked walk over a
// mapping's keys that finds repeated keys and the known key an unknown
// one is a misspelling of, and a Checker that walks mappings, lists and
// strings collecting the problems.
//
// The parsers keep their own exported error types and the wording of
// their messages; this package supplies the logic behind them.
package yamlfile
