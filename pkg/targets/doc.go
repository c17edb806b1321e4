// Package targets reads the targets file: the SWR registries, one per
// region and project, that one deployment governs.
//
// A targets file names each target (name, region, project id, an optional
// endpoint override) and where its credentials come from: an environment
// prefix (credentials.env: PROD_ reads PROD_HUAWEICLOUD_SDK_AK and its
// siblings) or a Secrets Manager secret (credentials.secret), read through
// the AWS Parameters and Secrets Lambda Extension. A secret is never
// written in the file itself: Parse refuses one.
//
// Parse validates a file and reports every problem at its file:line:column;
// Load fetches it through source.Fetch (a path, https:// or s3://) and
// parses it. Without a targets file a deployment has one target, Default,
// taken from the existing HUAWEICLOUD_SDK_* and SWR_* variables; its name
// is empty, so reports look exactly as they do without targets.
package targets
