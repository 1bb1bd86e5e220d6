// Package crdt owns the society record: its envelope, canonical dag-cbor
// encoding, content identifier (CIDv1, dag-cbor, sha2-256) and signature; the
// hybrid logical clock that orders records; and the Badger-backed log that
// stores records, delivers them causally (a record is applied only after its
// prev and deps), keeps per-device version vectors, detects forks
// (equivocations), and maintains the derived views and their state hash
// through an Applier supplied by the domain (package ledger).
//
// The package knows nothing of the network or of the user interface.
package crdt
