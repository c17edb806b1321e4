// Package e2e holds the end-to-end tests of the three function binaries.
//
// Each test builds a function's real bootstrap (as `sam build` does, for the
// host architecture), runs it under the AWS Lambda Runtime Interface
// Emulator or as a plain HTTP receiver, points it at an in-process emulated
// SWR (package swrtest) through its environment alone, sends it the sample
// payloads of the repository's events/ directory, and asserts both the
// answer the caller gets and the state the registry is left in.
//
// The tests run on Linux only, the emulator's platform.
package e2e
