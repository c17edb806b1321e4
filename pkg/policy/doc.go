// Package policy reads the swr-autopilot policy file: which retention rule
// each repository gets, the guards that stop unsafe retention writes, the
// default grants for new repositories and the trigger, sync and visibility
// audits. Parse reports every problem in a file at once, each with its line
// and column. The file format is described in README.md beside this file.
package policy
