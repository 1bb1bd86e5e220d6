// Package archtest holds no code of its own: its tests enforce the
// dependency rules between Commons' packages, so that the core (identity,
// crdt, ledger) stays free of GUI and networking code, the headless
// commons-node builds without Fyne, and only the root main package creates
// the Fyne application.
//
// The rules are checked with `go list -deps` from the module root. A rule
// whose package does not exist yet is skipped; a violation fails the test.
package archtest
