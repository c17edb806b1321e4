// Package lambdatest runs function binaries under the AWS Lambda Runtime
// Interface Emulator (RIE), the program that `sam local invoke` runs inside
// its container, without Docker.
//
// BuildBootstrap builds a function package the way the SAM build does (a
// static binary built with -tags lambda.norpc,nethttpomithttp2, for the host architecture),
// Start runs it under the emulator pinned by the tools module (tools/go.mod),
// and Invoke sends payloads to it one at a time: the emulator crashes when
// invoked concurrently. StartReceiver runs the same binary without the
// runtime API, as the plain HTTP receiver it then is.
//
// The package is for tests only and runs on Linux, the emulator's only
// platform.
package lambdatest
