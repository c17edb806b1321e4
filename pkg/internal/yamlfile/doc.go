// Package yamlfile holds what the line-precise parsers of the project's
// YAML files (the policy file, the team directory, the targets file)
// share: problems at a file position, reading the one document of a
// file, alias resolution, naming what a node holds, a checked walk over a
// mapping's keys that finds repeated keys and the known key an unknown
// one is a misspelling of.
//
// Decoder is the one walk the parsers make: it collects the problems of a
// file and words the checks they share (mappings, repeated and unknown
// keys with a "did you mean" suggestion, lists, strings, booleans) the same
// way. The parsers keep their own exported error types and the messages of
// their own rules.
package yamlfile
