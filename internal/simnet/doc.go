// Package simnet holds in-process multi-peer tests and benchmarks of
// Commons: whole nodes (identity, store, ledger, gossip, catch-up sync and
// discovery) wired onto go-libp2p's mocknet, so that every byte stays in
// the test process. The tests found a society, grow it through invites
// joined over the network, cut it into partitions and heal it, take a node
// offline while tens of thousands of records are written, and measure how
// fast records spread. The package has no code of its own.
package simnet
