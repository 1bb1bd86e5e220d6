package node

import (
	"context"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
)

// Network is what the node needs of the replication layer (package p2p,
// wired in by StartNetwork). The node works without one: records then
// travel as CAR files.
type Network interface {
	// Join starts replicating a society (gossip topic and sync).
	Join(soc cid.Cid) error
	// Publish announces a new local record; with no peer connected it is
	// carried by sync later.
	Publish(soc cid.Cid, raw []byte)
	// Addrs returns this peer's full multiaddrs (with /p2p/ID), for invite
	// codes.
	Addrs() []string
	// Fetch contacts peers at the given addresses and syncs a society with
	// them (used by join before the society's records are held). With an
	// invite code, the sync proves its invite secret, so that peers serve
	// a device that is no member yet what it needs to join.
	Fetch(ctx context.Context, soc cid.Cid, addrs []string, ic *InviteCode) error
	// Peers describes the connected peers.
	Peers() []PeerStatus
	// Close stops the network.
	Close() error
}

// PeerStatus describes one connected peer.
type PeerStatus struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`
	// LastSync is when a sync with the peer last completed (RFC 3339).
	LastSync string `json:"last_sync,omitempty"`
	// RecordsIn and RecordsOut count records exchanged with the peer, by
	// sync and by gossip: in, those received from it (by gossip, those it
	// delivered first); out, those sent to it (by gossip, own records
	// published and others' records relayed).
	RecordsIn  int `json:"records_in"`
	RecordsOut int `json:"records_out"`
}

// AttachNetwork connects the node to a replication layer and starts
// replicating every society held.
func (n *Node) AttachNetwork(net Network) error {
	n.netMu.Lock()
	n.net = net
	n.netMu.Unlock()
	socs, err := n.store.Societies()
	if err != nil {
		return err
	}
	for _, s := range socs {
		if err := net.Join(s); err != nil {
			return err
		}
	}
	return nil
}

// StopNetwork closes the network, if any, and detaches it: the node goes
// on serving its store offline until StartNetwork runs again.
func (n *Node) StopNetwork() error {
	n.netMu.Lock()
	net := n.net
	n.net = nil
	n.netMu.Unlock()
	if net == nil {
		return nil
	}
	return net.Close()
}

// Flush makes every write durable on disk (the store's files synced), as
// a phone does before the OS may stop the app.
func (n *Node) Flush() error { return n.store.DB().Sync() }

func (n *Node) network() Network {
	n.netMu.Lock()
	defer n.netMu.Unlock()
	return n.net
}

// OnRecords is called by the replication layer after it stored records of
// a society: the node admits joins that used its invites.
func (n *Node) OnRecords(soc cid.Cid, res crdt.Result) {
	if len(res.Applied) == 0 {
		return
	}
	n.mu.Lock()
	_, _ = n.autoAdmit(soc)
	n.mu.Unlock()
	n.notify()
}

// notify wakes whoever waits for new records.
func (n *Node) notify() {
	n.netMu.Lock()
	if n.changed != nil {
		close(n.changed)
	}
	n.changed = make(chan struct{})
	n.netMu.Unlock()
}

// changes returns a channel closed at the next arrival of records.
func (n *Node) changes() <-chan struct{} {
	n.netMu.Lock()
	defer n.netMu.Unlock()
	if n.changed == nil {
		n.changed = make(chan struct{})
	}
	return n.changed
}

// publish hands a new local record to the network, if any.
func (n *Node) publish(soc cid.Cid, raw []byte) {
	if net := n.network(); net != nil {
		net.Publish(soc, raw)
	}
}
