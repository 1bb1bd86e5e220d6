package p2p

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
)

// DHTProtocolPrefix is the protocol prefix of the Commons DHT. Its
// protocol (/commons/kad/1.0.0) differs from the public IPFS DHT's
// (/ipfs/kad/1.0.0), so the rendezvous never joins the public DHT.
const DHTProtocolPrefix = "/commons"

// RendezvousNamespacePrefix starts the rendezvous namespace of every
// society; see RendezvousNamespace.
const RendezvousNamespacePrefix = "commons/r/"

// ErrRendezvousClosed is returned by Rendezvous.Add after Close.
var ErrRendezvousClosed = errors.New("p2p: rendezvous closed")

// Rendezvous tuning.
const (
	defaultRendezvousInterval = time.Minute
	// findTimeout bounds one FindPeers query of one namespace.
	findTimeout = 30 * time.Second
	// maxRendezvousDials bounds the concurrent dials of found peers; peers
	// found while it is reached wait for the next round.
	maxRendezvousDials = 4
	// maxFoundPerRound bounds the peers taken from one FindPeers query.
	maxFoundPerRound = 100
)

// RendezvousNamespace is the namespace under which the members of society
// soc advertise themselves on the DHT: "commons/r/" and a keyed hash of
// the society ID (as in TopicName, with its own domain string), so that
// DHT servers learn no society ID.
func RendezvousNamespace(soc cid.Cid) string {
	return RendezvousNamespacePrefix + societyTag("commons-rendezvous-v1", soc)
}

// RendezvousOptions configure StartRendezvous.
type RendezvousOptions struct {
	// Server runs the DHT in server mode, answering queries and storing
	// provider records for others; meant for always-on, reachable peers.
	// Otherwise the DHT is in auto mode: a client until the host finds
	// itself publicly reachable.
	Server bool
	// Interval is the mean time between two rounds of FindPeers on every
	// namespace (default 1 min); each wait is jittered by ±20 %. It is also
	// the retry delay of a failed advertisement.
	Interval time.Duration
	// OnPeerFound, when set, is called for each other peer that a
	// FindPeers round returns (before it is dialled, and also when it is
	// already connected), from the rendezvous goroutine.
	OnPeerFound func(peer.AddrInfo)
}

// Rendezvous finds the peers of the same societies through a private
// Kademlia DHT: each society added is advertised (as a provider record of
// its namespace) and periodically looked up, and the peers found are
// connected to. The DHT has no bootstrap peers: it only learns of peers
// through the host's own connections (static peers, mDNS, inbound) and
// the DHT queries over them.
type Rendezvous struct {
	h    host.Host
	dht  *dht.IpfsDHT
	disc *drouting.RoutingDiscovery
	opts RendezvousOptions

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{}
	sem    chan struct{}

	mu      sync.Mutex // guards the fields below and wg.Add after start
	closed  bool
	ns      []string         // namespaces, in the order added
	added   map[cid.Cid]bool // societies added
	dialing map[peer.ID]bool // dials in flight

	closeOnce sync.Once
	closeErr  error
}

// StartRendezvous starts a DHT on h with protocol prefix DHTProtocolPrefix
// and no bootstrap peers, and the loop that looks up the namespaces of the
// societies added with Add. Call Close (or cancel ctx) to stop; the host
// stays open.
func StartRendezvous(ctx context.Context, h host.Host, opts RendezvousOptions) (*Rendezvous, error) {
	if h == nil {
		return nil, fmt.Errorf("%w: rendezvous needs a host", ErrConfig)
	}
	if opts.Interval < 0 {
		return nil, fmt.Errorf("%w: negative rendezvous interval %v", ErrConfig, opts.Interval)
	}
	if opts.Interval == 0 {
		opts.Interval = defaultRendezvousInterval
	}
	mode := dht.ModeAuto
	if opts.Server {
		mode = dht.ModeServer
	}
	kad, err := dht.New(h,
		dht.Mode(mode),
		dht.ProtocolPrefix(DHTProtocolPrefix),
		dht.BootstrapPeers(), // none: never the public bootstrap peers
		dht.DisableValues(),  // only provider records are needed
	)
	if err != nil {
		return nil, fmt.Errorf("p2p: start DHT: %w", err)
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &Rendezvous{h: h, dht: kad, disc: drouting.NewRoutingDiscovery(kad), opts: opts,
		ctx: rctx, cancel: cancel, kick: make(chan struct{}, 1),
		sem: make(chan struct{}, maxRendezvousDials), added: map[cid.Cid]bool{},
		dialing: map[peer.ID]bool{}}
	r.wg.Add(1)
	go r.loop()
	return r, nil
}

// DHT returns the rendezvous' DHT.
func (r *Rendezvous) DHT() *dht.IpfsDHT { return r.dht }

// Add advertises this host in society soc's namespace and adds the
// namespace to the lookups; a lookup round starts at once. Adding a
// society twice does nothing.
func (r *Rendezvous) Add(soc cid.Cid) error {
	if !soc.Defined() {
		return fmt.Errorf("%w: undefined society CID", ErrConfig)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.ctx.Err() != nil {
		return ErrRendezvousClosed
	}
	if r.added[soc] {
		return nil
	}
	r.added[soc] = true
	ns := RendezvousNamespace(soc)
	r.ns = append(r.ns, ns)
	r.wg.Add(1)
	go r.advertise(ns)
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return nil
}

// Close stops the advertisements and lookups and closes the DHT.
func (r *Rendezvous) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		r.cancel()
		r.wg.Wait()
		if err := r.dht.Close(); err != nil {
			r.closeErr = fmt.Errorf("p2p: close DHT: %w", err)
		}
	})
	return r.closeErr
}

// jitter returns d scaled by a random factor in [0.8, 1.2).
func jitter(d time.Duration) time.Duration {
	return d*4/5 + rand.N(d*2/5+1)
}

// sleepCtx waits d or until ctx ends, and reports whether to go on.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// advertise keeps this host advertised in namespace ns: it is what
// discovery/util.Advertise does, but a failed advertisement (typically
// because the routing table is still empty) is retried after a jittered
// Interval rather than after two minutes.
func (r *Rendezvous) advertise(ns string) {
	defer r.wg.Done()
	for {
		ttl, err := r.disc.Advertise(r.ctx, ns)
		if r.ctx.Err() != nil {
			return
		}
		wait := jitter(r.opts.Interval)
		if err == nil {
			wait = 7 * ttl / 8
		}
		if !sleepCtx(r.ctx, wait) {
			return
		}
	}
}

// loop runs a lookup round on every namespace after each jittered Interval
// and whenever a society is added.
func (r *Rendezvous) loop() {
	defer r.wg.Done()
	t := time.NewTimer(jitter(r.opts.Interval))
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-r.kick:
		case <-t.C:
		}
		r.mu.Lock()
		nss := append([]string(nil), r.ns...)
		r.mu.Unlock()
		for _, ns := range nss {
			r.find(ns)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(jitter(r.opts.Interval))
	}
}

// find looks up the peers of namespace ns and dials those not connected.
func (r *Rendezvous) find(ns string) {
	ctx, cancel := context.WithTimeout(r.ctx, min(findTimeout, max(r.opts.Interval, time.Second)))
	defer cancel()
	found, err := r.disc.FindPeers(ctx, ns)
	if err != nil {
		return
	}
	n := 0
	for pi := range found {
		if pi.ID == r.h.ID() || pi.ID == "" {
			continue
		}
		if n++; n > maxFoundPerRound {
			break
		}
		if r.opts.OnPeerFound != nil {
			r.opts.OnPeerFound(pi)
		}
		r.dial(pi)
	}
}

// dial connects to pi in its own goroutine unless it is connected, being
// dialled, or too many dials are in flight.
func (r *Rendezvous) dial(pi peer.AddrInfo) {
	if r.h.Network().Connectedness(pi.ID) == network.Connected {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.dialing[pi.ID] {
		return
	}
	select {
	case r.sem <- struct{}{}:
	default:
		return
	}
	r.dialing[pi.ID] = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		ctx, cancel := context.WithTimeout(r.ctx, dialTimeout)
		_ = r.h.Connect(ctx, pi) // a failed dial is retried next round
		cancel()
		r.mu.Lock()
		delete(r.dialing, pi.ID)
		r.mu.Unlock()
		<-r.sem
	}()
}
