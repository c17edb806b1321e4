// Package directory reads the team directory: the YAML file that says which
// IAM users may pull, push or manage which SWR namespaces and repositories.
//
// Parse validates a file and reports every problem with its file:line:column
// position; Load fetches a file from a local path, an https URL or an
// s3://bucket/key object and parses it. The format is documented in this
// package's README.md, with a complete example in testdata/example.yaml.
//
// A Directory is plain data. Members given by name only (ID empty) and
// teams given as an IAM group are completed from IAM by grant sync.
// Turning it into SWR grants, and diffing those against what SWR holds, is
// the job of package grantplan.
package directory
