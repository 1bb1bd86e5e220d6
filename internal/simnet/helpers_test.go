package simnet_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"
)

// peerNode is one member's node on the mock network.
type peerNode struct {
	name string
	id   *identity.Identity
	n    *node.Node
	h    host.Host
}

// cluster is a society of nodes on one mocknet.
type cluster struct {
	tb    testing.TB
	mn    mocknet.Mocknet
	nodes []*peerNode
	soc   cid.Cid
}

// liveHost is a mocknet host whose streams end with their connection, as
// on a real transport. mocknet's own do not always: a connection being
// closed stays among its peer's connections until its streams are reset,
// and a stream opened on it meanwhile (GossipSub reopens its stream to a
// peer at once when the old one is reset and the peer still looks
// connected) is never reset, so gossip flowed on between peers with no
// connection and records crossed a partition's cut. liveHost refuses such
// streams, outgoing and incoming.
type liveHost struct{ host.Host }

// NewStream opens a stream as the mocknet host does, and refuses it when
// its connection is closed.
func (h liveHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := h.Host.NewStream(ctx, p, pids...)
	if err != nil {
		return nil, err
	}
	if s.Conn().IsClosed() {
		_ = s.Reset()
		return nil, fmt.Errorf("simnet: stream to %s on a closed connection", p)
	}
	return s, nil
}

// SetStreamHandler sets a handler that never sees a stream of a closed
// connection.
func (h liveHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	h.Host.SetStreamHandler(pid, liveHandler(handler))
}

// SetStreamHandlerMatch is SetStreamHandler with a protocol matcher.
func (h liveHost) SetStreamHandlerMatch(pid protocol.ID, match func(protocol.ID) bool, handler network.StreamHandler) {
	h.Host.SetStreamHandlerMatch(pid, match, liveHandler(handler))
}

func liveHandler(handler network.StreamHandler) network.StreamHandler {
	return func(s network.Stream) {
		if s.Conn().IsClosed() {
			_ = s.Reset()
			return
		}
		handler(s)
	}
}

// baseDir returns a directory for node homes: under /dev/shm when it can be
// used (the store syncs on every write; memory keeps the tests fast), else
// the test's temporary directory.
func baseDir(tb testing.TB) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "commons-simnet-"); err == nil {
			tb.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return tb.TempDir()
}

// newCluster makes count nodes with networks started on a linked mocknet
// (addresses on 127.0.0.1 only, no mDNS): not yet connected, no society.
func newCluster(tb testing.TB, count int, syncEvery time.Duration) *cluster {
	tb.Helper()
	c := &cluster{tb: tb, mn: mocknet.New(), nodes: make([]*peerNode, count)}
	base := baseDir(tb)
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(func() {
		cancel()
		var wg sync.WaitGroup
		for _, p := range c.nodes {
			if p != nil && p.n != nil {
				wg.Add(1)
				go func() { defer wg.Done(); p.n.Close() }()
			}
		}
		wg.Wait()
		c.mn.Close()
	})
	// Init derives a key with argon2id (64 MiB); two at a time.
	sem := make(chan struct{}, 2)
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p := &peerNode{name: fmt.Sprintf("member-%02d", i)}
			home := fmt.Sprintf("%s/%02d", base, i)
			var err error
			if p.id, err = node.Init(home, p.name, "", []byte("passphrase")); err != nil {
				errs[i] = err
				return
			}
			if p.n, err = node.Open(home, p.id, node.Options{}); err != nil {
				errs[i] = err
				return
			}
			c.nodes[i] = p
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	for i, p := range c.nodes {
		priv, err := crypto.UnmarshalEd25519PrivateKey(p.id.Device)
		if err != nil {
			tb.Fatal(err)
		}
		addr := ma.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 40001+i))
		h, err := c.mn.AddPeer(priv, addr)
		if err != nil {
			tb.Fatal(err)
		}
		p.h = liveHost{h}
		if err := p.n.StartNetworkOn(ctx, p.h, node.NetConfig{MDNS: false, SyncInterval: syncEvery}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := c.mn.LinkAll(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// found makes node 0 found a society and every other node join it with an
// invite of node 0, over the network; then it connects every pair and waits
// for all to agree.
func (c *cluster) found() {
	tb := c.tb
	tb.Helper()
	f := c.nodes[0]
	ss, err := f.n.CreateSociety("Simnet Society")
	if err != nil {
		tb.Fatal(err)
	}
	if c.soc, err = cid.Decode(ss.ID); err != nil {
		tb.Fatal(err)
	}
	for _, p := range c.nodes[1:] {
		inv, err := f.n.Invite(node.InviteRequest{})
		if err != nil {
			tb.Fatal(err)
		}
		res, err := p.n.Join(inv.Code)
		if err != nil {
			tb.Fatalf("%s joins: %v", p.name, err)
		}
		if !res.Admitted {
			tb.Fatalf("%s joined but was not admitted", p.name)
		}
	}
	if err := c.mn.ConnectAllButSelf(); err != nil {
		tb.Fatal(err)
	}
	c.waitConverged(c.nodes, 60*time.Second)
}

// state returns a node's state hash and record count of the society.
func (c *cluster) state(p *peerNode) (crdt.StateHash, uint64) {
	h, n, err := p.n.Store().State(c.soc)
	if err != nil {
		c.tb.Fatalf("%s: state: %v", p.name, err)
	}
	return h, n
}

// converged reports whether all the nodes hold the same state.
func (c *cluster) converged(ps []*peerNode) bool {
	h0, n0 := c.state(ps[0])
	for _, p := range ps[1:] {
		if h, n := c.state(p); h != h0 || n != n0 {
			return false
		}
	}
	return true
}

// waitConverged polls until the nodes hold the same state, failing the
// test after timeout. It returns how long it waited.
func (c *cluster) waitConverged(ps []*peerNode, timeout time.Duration) time.Duration {
	c.tb.Helper()
	start := time.Now()
	for !c.converged(ps) {
		if time.Since(start) > timeout {
			var desc string
			for _, p := range ps {
				h, n := c.state(p)
				desc += fmt.Sprintf("\n  %s: %d records, %s", p.name, n, h.String()[:12])
			}
			c.tb.Fatalf("no convergence after %v:%s", timeout, desc)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// cut unlinks and disconnects every pair of nodes across the groups.
func (c *cluster) cut(groups [][]*peerNode) {
	c.tb.Helper()
	c.acrossGroups(groups, func(a, b *peerNode) error {
		if err := c.mn.UnlinkPeers(a.h.ID(), b.h.ID()); err != nil {
			return err
		}
		if err := c.mn.DisconnectPeers(a.h.ID(), b.h.ID()); err != nil {
			return err
		}
		return c.mn.DisconnectPeers(b.h.ID(), a.h.ID())
	})
}

// heal links and connects every pair of nodes across the groups.
func (c *cluster) heal(groups [][]*peerNode) {
	c.tb.Helper()
	c.acrossGroups(groups, func(a, b *peerNode) error {
		if _, err := c.mn.LinkPeers(a.h.ID(), b.h.ID()); err != nil {
			return err
		}
		_, err := c.mn.ConnectPeers(a.h.ID(), b.h.ID())
		return err
	})
}

func (c *cluster) acrossGroups(groups [][]*peerNode, fn func(a, b *peerNode) error) {
	for gi, g := range groups {
		for _, h := range groups[gi+1:] {
			for _, a := range g {
				for _, b := range h {
					if err := fn(a, b); err != nil {
						c.tb.Fatalf("%s / %s: %v", a.name, b.name, err)
					}
				}
			}
		}
	}
}
