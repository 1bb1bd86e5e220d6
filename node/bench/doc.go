// Package bench measures Commons on the machine it runs on: how fast a
// store ingests a society's records (every signature verified, fsync per
// batch), how fast a fresh replica catches up over two real libp2p hosts on
// 127.0.0.1, how fast the parallel batch verifier checks the same
// signatures, and how long the time-bank queries (balance, statement page,
// pending transfers) take through the node's API. Everything runs in
// temporary homes that are removed afterwards; no traffic leaves the
// loopback interface and nothing discovers peers.
//
// `commons-node bench` prints these figures, and the separate module in
// bench/ at the root of the repository uses the same code to compare
// Commons with go-ds-crdt in one process. The package lives under node/ (and
// not internal/) so that the bench module, another Go module, may import
// it; it follows node's import rules (no Fyne, no UI).
package bench
