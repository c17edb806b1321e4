// Package runtime hosts one function binary in the three ways it is run:
// as an AWS Lambda function when AWS_LAMBDA_RUNTIME_API is set, as a
// CloudEvents and webhook HTTP receiver otherwise, and under tests.
//
// It knows nothing about the payloads it carries: the Lambda handler takes
// the raw invocation payload and returns any JSON-encodable response, and the
// HTTP handler is a plain [http.Handler]. Around them it provides the pieces
// every function needs: deadline helpers ([Remaining], [WorkDeadline]),
// structured JSON logging that stamps the request id and CloudEvent id on
// every line ([NewLogger], [WithEventID]), secret redaction ([Redact]) and
// CloudWatch Embedded Metric Format lines ([EMF]).
//
// The package shares its name with the standard library's runtime package;
// import it under another name where both are needed.
package runtime
