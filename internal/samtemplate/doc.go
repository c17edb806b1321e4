// Package samtemplate reads the project's AWS SAM template and Makefile the
// way `sam build` and `sam local` see them, so that tests can check them
// against the code.
//
// Template parsing keeps YAML nodes (and so the short intrinsic-function
// tags such as !Ref, !GetAtt and !Sub, and line numbers) and merges the
// Globals section into every AWS::Serverless::Function as SAM does: maps
// are merged with the function's values winning, lists are concatenated
// with the global entries first, and scalars and intrinsic functions are
// replaced.
package samtemplate
