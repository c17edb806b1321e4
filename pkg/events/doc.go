// Package events turns every input the functions accept into one stream of
// typed events, authenticates webhooks and de-duplicates redeliveries, so
// that no handler ever parses a wire format and bad input never reaches SWR.
//
// # Shapes
//
// Decoder.DecodeLambda takes a raw Lambda payload and recognises:
//
//   - a Lambda Function URL / API Gateway v2 HTTP request (rawPath and
//     requestContext.http; base64 bodies too) whose body is any HTTP input
//     below;
//   - an SQS batch (Records[].eventSource "aws:sqs") whose bodies are
//     CloudEvents or Harbor webhooks, with a result per record for partial
//     batch responses (Batch.Records, Batch.SQSResponse);
//   - an EventBridge envelope (detail-type, source), including the
//     "Scheduled Event" of a Schedule rule (aws.events) or of EventBridge
//     Scheduler (aws.scheduler), which becomes a sweep or grant-sync tick;
//   - a bare CloudEvent JSON object (specversion), as sam local invoke or a
//     Scheduler Input delivers it.
//
// Decoder.DecodeHTTP takes an *http.Request in receiver mode. HTTP inputs,
// over a Function URL or directly, are:
//
//   - CloudEvents in binary (Ce-* headers), structured
//     (application/cloudevents+json) or batch
//     (application/cloudevents-batch+json) mode, or as plain JSON;
//   - Huawei Cloud EventGrid events: CloudEvents with source "HC.SWR", type
//     "SWR:CloudTrace:ApiCall" or "SWR:CloudTrace:ConsoleAction" and a CTS
//     trace as data, mapped by trace_name (createImageRepository,
//     postMultipartImagePackage, create/update/deleteTrigger,
//     create/update/delete UserNamespaceAuth and UserRepositoryAuth,
//     createUserNamespace);
//   - SWR Enterprise / Harbor webhooks in the Default format (type
//     PUSH_ARTIFACT, event_data.repository, event_data.resources) or the
//     CloudEvents format (harbor.artifact.pushed): one ImagePushed per
//     resource.
//
// # Types
//
// The project's own CloudEvent types share the reverse-DNS prefix
// "io.swrautopilot." (TypePrefix); Types lists them:
//
//	io.swrautopilot.sweep.requested      SweepRequested {namespaces, dry_run, cursor}
//	io.swrautopilot.grantsync.requested  GrantSyncRequested {dry_run}
//	io.swrautopilot.directory.changed    GrantSyncRequested {dry_run}
//	io.swrautopilot.repository.created   RepositoryCreated {namespace, repository}
//	io.swrautopilot.image.pushed         ImagePushed {namespace, repository, tag, digest}
//	io.swrautopilot.trigger.changed      TriggerChanged {namespace, repository, trigger}
//	io.swrautopilot.grants.changed       GrantsChanged {namespace, repository}
//	io.swrautopilot.namespace.created    NamespaceCreated {namespace}
//
// Their data members are checked strictly: an unknown member is an error.
// NewSweepContinuation and NewSweepShard make the events a sweep hands its
// remaining work on with. Any other type decodes as Unknown: handlers
// acknowledge it, count it (Batch.Count) and do nothing.
//
// # Errors and limits
//
// Every failure is an *Error whose Status is the HTTP status to answer with
// (HTTPStatus): 413 for a body over Config.MaxBody (1 MiB), 400 for more than
// Config.MaxBatch (100) events or for malformed input, naming the field
// (e.g. "body.event_data.repository.namespace: missing"), 401 for failed
// authentication, with no detail for the client (Error.Message).
//
// # Authentication
//
// HTTP inputs are authenticated unless AuthConfig.Disabled is set: either the
// Authorization header equals AuthConfig.AuthHeader (what a Harbor webhook
// policy sends as auth_header), or the X-Autopilot-Signature header is
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) with the
// X-Autopilot-Timestamp header (Unix seconds) within the replay window
// (5 minutes) and the signature not seen before. Comparisons are
// constant-time. SQS, EventBridge and directly invoked CloudEvents are
// guarded by IAM and not authenticated here.
//
// # De-duplication
//
// A Deduper remembers recently handled Event.Key values (a bounded LRU held
// per warm instance), so a redelivered event does no work twice; the job
// runner (pkg/function) holds one per function. An error marked with
// Terminal says that redelivering the input cannot help.
//
// # HTTP
//
// CloudEvents arrive over HTTP in binary mode (Ce-* headers),
// structured mode (application/cloudevents+json) or as a batch
// (application/cloudevents-batch+json). The package maps them onto the
// SDK's binding and event packages itself, and writes binary-mode requests
// the same way (WriteHTTPRequest), without the SDK's HTTP protocol package.
package events
