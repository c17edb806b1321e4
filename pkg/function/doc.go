// Package function hosts a job as a function binary, in the three ways it
// is run: as an AWS Lambda function when AWS_LAMBDA_RUNTIME_API is set, as
// a CloudEvents and webhook HTTP receiver otherwise, and under tests or
// the CLI.
//
// [Start] is a function's whole main, in the manner of lambda.Start: it
// reads the configuration, builds the SWR client and the job, and hosts
// it. [Function] is the one job runner: it decodes whatever invoked the
// function (pkg/events), skips events it has handled before, hands the
// rest to the job, decides whether a failure is redelivered, and logs,
// measures and publishes the report. Around them the package provides what
// every function needs: structured JSON logging that stamps the request id
// and CloudEvent id on every line ([NewLogger], [WithEventID]), secret
// redaction ([redact.Attr]) and CloudWatch Embedded Metric Format lines ([EMF]).
package function
