// Package p2p is the networking layer of Commons: the libp2p host of a
// device (NewHost), the per-society GossipSub topics that carry signed
// records between peers (Gossip), and the discovery of peers: static
// peers given by address and, when asked, mDNS on the local network
// (StartDiscovery).
//
// The package moves records and judges them only through crdt.Store:
// every record received on a topic is validated by Store.Validate before
// it is forwarded, and stored by Store.Ingest. Catching up on missing
// history is the job of the sync protocol (package p2p/recsync), which the
// node starts when Gossip reports a record with unknown parents
// (GossipOptions.OnMissing) or when a new connection is made
// (Config.OnConnect).
//
// Nothing in this package panics on network input: malformed, forged and
// oversized messages are dropped (a stream carrying an RPC over
// MaxMessageSize is reset unread), and peers that send invalid records lose
// GossipSub score.
package p2p
