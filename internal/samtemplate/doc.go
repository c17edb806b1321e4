// Package samtemplate reads the project's AWS SAM template the way `sam
// build` and `sam local` see it, so that tests can check it against the
// code (and, through make -n, against the Makefile).
//
// Template parsing keeps YAML nodes (and so the short intrinsic-function
// tags such as !Ref, !GetAtt and !Sub, and line numbers) and merges the
// Globals section into every AWS::Serverless::Function as SAM does: maps
// are merged with the function's values winning, lists are concatenated
// with the global entries first, and scalars and intrinsic functions are
// replaced.
package samtemplate
