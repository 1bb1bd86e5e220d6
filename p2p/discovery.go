package p2p

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	ma "github.com/multiformats/go-multiaddr"
)

// MDNSService is the DNS-SD service type under which Commons devices
// announce themselves with mDNS. DNS-SD wants "_name._proto" labels, so
// the service "commons" is spelt "_commons._udp", as go-libp2p's own
// default is "_p2p._udp".
const MDNSService = "_commons._udp"

// Discovery tuning.
const (
	defaultRedialMin = time.Second
	defaultRedialMax = 5 * time.Minute
	dialTimeout      = 15 * time.Second
	// stableConn is how long a static peer's connection must last for the
	// redial backoff to start again from RedialMin.
	stableConn = 30 * time.Second
	// maxMDNSDials bounds the concurrent dials of peers found by mDNS;
	// peers found while it is reached wait for their next announcement.
	maxMDNSDials = 4
	protectTag   = "commons-static"
)

// Discovery keeps a host connected to its static peers, finds peers on the
// local network with mDNS when asked, and reports new connections.
type Discovery struct {
	h      host.Host
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sub    event.Subscription
	mdns   mdns.Service
	// lanErr says why LAN discovery could not start (nil when it runs or
	// was not asked for).
	lanErr error

	// lost has one signal channel per static peer, poked when the host
	// loses its last connection to that peer.
	lost map[peer.ID]chan struct{}
	sem  chan struct{}

	mu        sync.Mutex // guards closed and wg.Add after start
	closed    bool
	closeOnce sync.Once
}

// StartDiscovery starts dialling cfg.Peers, mDNS when cfg.MDNS is set, and
// cfg.OnConnect reporting, on h. Static peers are dialled at once and, while
// not connected, redialled with exponential backoff between cfg.RedialMin
// and cfg.RedialMax (with jitter); each dial is bounded by a timeout and
// by ctx. Call Close (or cancel ctx) to stop.
func StartDiscovery(ctx context.Context, h host.Host, cfg Config) (*Discovery, error) {
	if h == nil {
		return nil, fmt.Errorf("%w: discovery needs a host", ErrConfig)
	}
	if cfg.RedialMin <= 0 {
		cfg.RedialMin = defaultRedialMin
	}
	if cfg.RedialMax < cfg.RedialMin {
		cfg.RedialMax = max(defaultRedialMax, cfg.RedialMin)
	}
	static, err := ParsePeers(cfg.Peers)
	if err != nil {
		return nil, err
	}
	sub, err := h.EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
	if err != nil {
		return nil, fmt.Errorf("p2p: subscribe to connection events: %w", err)
	}
	dctx, cancel := context.WithCancel(ctx)
	d := &Discovery{h: h, cfg: cfg, ctx: dctx, cancel: cancel, sub: sub,
		lost: map[peer.ID]chan struct{}{}, sem: make(chan struct{}, maxMDNSDials)}
	for _, pi := range static {
		if pi.ID == h.ID() {
			continue
		}
		d.lost[pi.ID] = make(chan struct{}, 1)
	}
	d.wg.Add(1)
	go d.events()
	for _, pi := range static {
		if pi.ID == h.ID() {
			continue
		}
		h.ConnManager().Protect(pi.ID, protectTag)
		d.wg.Add(1)
		go d.keep(pi)
	}
	if cfg.MDNS {
		m := newMDNS(h, MDNSService, notifee{d})
		if err := m.Start(); err != nil {
			// A phone's OS may deny listing interfaces or multicast
			// (Android 11+): discovery goes on without the LAN, through
			// static peers, invite-code addresses and relays.
			_ = m.Close()
			d.lanErr = fmt.Errorf("%w: %w", ErrNoLAN, err)
		} else {
			d.mdns = m
		}
	}
	return d, nil
}

// ErrNoLAN is wrapped by LANError when LAN discovery (mDNS) was asked for
// but the system refused it.
var ErrNoLAN = errors.New("LAN discovery is unavailable on this device (peers are still reached through static peers, invite codes and relays)")

// newMDNS is mdns.NewMdnsService; tests replace it to act as a system that
// refuses multicast.
var newMDNS = func(h host.Host, name string, n mdns.Notifee) mdns.Service { return mdns.NewMdnsService(h, name, n) }

// LANError says why LAN discovery is not running although it was asked
// for (wrapping ErrNoLAN), or nil.
func (d *Discovery) LANError() error { return d.lanErr }

// ParsePeers parses full multiaddrs ending in /p2p/<ID>, merging the
// addresses of the same peer.
func ParsePeers(addrs []string) ([]peer.AddrInfo, error) {
	mas := make([]ma.Multiaddr, 0, len(addrs))
	for _, s := range addrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: peer address %q: %w", ErrConfig, s, err)
		}
		if _, err := peer.AddrInfoFromP2pAddr(a); err != nil {
			return nil, fmt.Errorf("%w: peer address %q: %w", ErrConfig, s, err)
		}
		mas = append(mas, a)
	}
	infos, err := peer.AddrInfosFromP2pAddrs(mas...)
	if err != nil {
		return nil, fmt.Errorf("%w: peer addresses: %w", ErrConfig, err)
	}
	return infos, nil
}

// Close stops mDNS, the redialling and the event reporting. The host stays
// open.
func (d *Discovery) Close() error {
	var err error
	d.closeOnce.Do(func() {
		d.mu.Lock()
		d.closed = true
		d.mu.Unlock()
		d.cancel()
		if d.mdns != nil {
			err = d.mdns.Close()
		}
		d.sub.Close()
		d.wg.Wait()
		for id := range d.lost {
			d.h.ConnManager().Unprotect(id, protectTag)
		}
	})
	if err != nil {
		return fmt.Errorf("p2p: close discovery: %w", err)
	}
	return nil
}

// events reports new connections and pokes the redialler of a static peer
// that was lost.
func (d *Discovery) events() {
	defer d.wg.Done()
	for {
		select {
		case <-d.ctx.Done():
			return
		case e, ok := <-d.sub.Out():
			if !ok {
				return
			}
			ev, ok := e.(event.EvtPeerConnectednessChanged)
			if !ok {
				continue
			}
			switch ev.Connectedness {
			case network.Connected:
				if d.cfg.OnConnect != nil {
					go d.cfg.OnConnect(ev.Peer)
				}
			case network.NotConnected:
				if ch, ok := d.lost[ev.Peer]; ok {
					select {
					case ch <- struct{}{}:
					default:
					}
				}
			}
		}
	}
}

// keep keeps the host connected to a static peer.
func (d *Discovery) keep(pi peer.AddrInfo) {
	defer d.wg.Done()
	backoff := d.cfg.RedialMin
	lost := d.lost[pi.ID]
	for {
		if d.h.Network().Connectedness(pi.ID) != network.Connected {
			ctx, cancel := context.WithTimeout(d.ctx, dialTimeout)
			err := d.h.Connect(ctx, pi)
			cancel()
			if d.ctx.Err() != nil {
				return
			}
			if err != nil {
				if !d.sleep(backoff) {
					return
				}
				backoff = min(backoff*2, d.cfg.RedialMax)
				continue
			}
		}
		since := time.Now()
		select {
		case <-d.ctx.Done():
			return
		case <-lost:
		}
		// A connection that lasted is a fresh start; one that was dropped
		// at once (a peer that refuses us) keeps growing the backoff.
		if time.Since(since) >= stableConn {
			backoff = d.cfg.RedialMin
		}
		if !d.sleep(backoff) {
			return
		}
		backoff = min(backoff*2, d.cfg.RedialMax)
	}
}

// sleep waits about dur (±20 % jitter); it returns false when stopped.
func (d *Discovery) sleep(dur time.Duration) bool { return sleepCtx(d.ctx, jitter(dur)) }

// notifee connects to the peers mDNS finds.
type notifee struct{ d *Discovery }

// HandlePeerFound is called by the mDNS service, each time in a new
// goroutine.
func (n notifee) HandlePeerFound(pi peer.AddrInfo) {
	d := n.d
	if pi.ID == d.h.ID() || d.ctx.Err() != nil {
		return
	}
	if d.cfg.OnPeerFound != nil {
		d.cfg.OnPeerFound(pi)
	}
	if d.h.Network().Connectedness(pi.ID) == network.Connected {
		return
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	select {
	case d.sem <- struct{}{}:
	default:
		d.mu.Unlock()
		return // busy: the peer announces itself again
	}
	d.wg.Add(1)
	d.mu.Unlock()
	defer d.wg.Done()
	defer func() { <-d.sem }()
	ctx, cancel := context.WithTimeout(d.ctx, dialTimeout)
	defer cancel()
	if err := d.h.Connect(ctx, pi); err != nil && !errors.Is(err, context.Canceled) {
		return // found again at its next announcement
	}
}
