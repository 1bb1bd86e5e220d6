package p2p

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
	quicgo "github.com/quic-go/quic-go"
)

// ErrConfig is wrapped by the errors of NewHost and StartDiscovery for an
// invalid Config.
var ErrConfig = errors.New("p2p: invalid config")

// DefaultListen are the listen addresses used when Config.Listen is empty:
// TCP and QUIC on every IPv4 interface, on ports the system picks.
var DefaultListen = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}

// Limits of the host, sized for a phone.
const (
	// ConnLow and ConnHigh are the connection manager's water marks: above
	// ConnHigh connections it trims down to ConnLow.
	ConnLow  = 32
	ConnHigh = 96
	// ConnGrace is how long a new connection is safe from trimming.
	ConnGrace = time.Minute
	// PhoneConnLow and PhoneConnHigh are the water marks of a phone
	// (Config.ConnLow, Config.ConnHigh): a society's gossip mesh needs a
	// handful of peers, and every open connection costs battery.
	PhoneConnLow  = 8
	PhoneConnHigh = 24
	// ResourceMemory and ResourceFDs are what the resource manager's
	// default limits are scaled to (the system-wide caps).
	ResourceMemory = 128 << 20
	ResourceFDs    = 256
)

// Config says how to build and connect a device's host. NewHost reads Key,
// Listen, ConnLow, ConnHigh, EnableRelayService, EnableHolePunching,
// Metrics and NATPortMap;
// StartDiscovery reads Peers, MDNS, OnConnect, OnPeerFound, RedialMin and
// RedialMax.
type Config struct {
	// Key is the device's ed25519 private key; it is the host's identity,
	// so the peer ID is identity.IDFromPublicKey of the device key.
	Key ed25519.PrivateKey
	// Listen lists the multiaddrs to listen on (DefaultListen when empty).
	Listen []string
	// Peers lists static peers as full multiaddrs ending in /p2p/<ID>.
	// They are dialled at start and redialled whenever the connection is
	// lost; their connections are protected from the connection manager.
	Peers []string
	// MDNS turns on mDNS discovery on the local network (service
	// MDNSService); peers found are connected to.
	MDNS bool
	// ConnLow and ConnHigh override the connection manager's water marks
	// (package ConnLow and ConnHigh when zero).
	ConnLow, ConnHigh int
	// EnableRelayService makes this host a circuit relay v2 for others
	// (only useful on publicly reachable devices). The relay client is
	// always on.
	EnableRelayService bool
	// EnableHolePunching turns on DCUtR hole punching. Because reuseport is
	// off (see NewHost), punching uses fresh source ports and succeeds less
	// often than with port reuse, mostly behind endpoint-independent NATs.
	EnableHolePunching bool
	// Metrics, when set, receives go-libp2p's Prometheus metrics (swarm,
	// resource manager, identify, event bus, relay, AutoNAT...); without
	// it they are off.
	Metrics prometheus.Registerer
	// NATPortMap asks the router for a port mapping (UPnP / NAT-PMP). It is
	// off by default because it sends UPnP traffic on the LAN.
	NATPortMap bool
	// OnConnect, when set, is called in its own goroutine each time the
	// host goes from no connection to a connection with a peer (inbound or
	// outbound, however the peer was found), so that the node can start a
	// sync with it.
	OnConnect func(peer.ID)
	// OnPeerFound, when set, is called for each announcement of another
	// peer that mDNS receives (before it is dialled), from the mDNS
	// service's goroutines.
	OnPeerFound func(peer.AddrInfo)
	// RedialMin and RedialMax bound the exponential backoff between dials of
	// a static peer that is not connected (defaults 1 s and 5 min).
	RedialMin, RedialMax time.Duration
}

// NewHost builds the libp2p host of a device: identity from cfg.Key, TCP
// (with Noise and yamux) and QUIC v1 (with its built-in TLS 1.3)
// transports, a connection manager (ConnLow/ConnHigh, ConnGrace), a
// resource manager whose default limits are scaled to ResourceMemory and
// ResourceFDs, the circuit relay v2 client, and, when asked, the relay
// service, hole punching and NAT port mapping.
//
// Port reuse (SO_REUSEPORT) is off for both transports: for TCP with
// tcp.DisableReuseport, for QUIC with quicreuse.DisableReuseport (go-libp2p
// v0.51.0 has that option on the QUIC connection manager, given through
// libp2p.QUICReuse). Outgoing connections therefore use ephemeral source
// ports. Prometheus metrics are off unless cfg.Metrics is set. The host listens but dials no one; see
// StartDiscovery. Closing the host also closes its resource manager.
func NewHost(cfg Config) (host.Host, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: device key of %d bytes, want %d", ErrConfig, len(cfg.Key), ed25519.PrivateKeySize)
	}
	sk, err := crypto.UnmarshalEd25519PrivateKey(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: device key: %w", ErrConfig, err)
	}
	listen := cfg.Listen
	if len(listen) == 0 {
		listen = DefaultListen
	}
	for _, a := range listen {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return nil, fmt.Errorf("%w: listen address %q: %w", ErrConfig, a, err)
		}
	}
	low, high := ConnLow, ConnHigh
	if cfg.ConnLow > 0 && cfg.ConnHigh >= cfg.ConnLow {
		low, high = cfg.ConnLow, cfg.ConnHigh
	}
	cm, err := connmgr.NewConnManager(low, high, connmgr.WithGracePeriod(ConnGrace))
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.Scale(ResourceMemory, ResourceFDs)))
	if err != nil {
		cm.Close()
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(sk),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Transport(quic.NewTransport),
		// A QUIC connection manager of our own, to turn port reuse off; it
		// keeps the resource manager's accounting of inbound QUIC
		// connections that the default one has.
		libp2p.QUICReuse(quicreuse.NewConnManager,
			quicreuse.DisableReuseport(),
			quicreuse.ConnContext(quicConnContext(rm)),
			quicreuse.VerifySourceAddress(rm.VerifySourceAddress),
		),
		libp2p.Security(noise.ID, noise.New),
		libp2p.DefaultMuxers,
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.EnableRelay(),
	}
	if cfg.Metrics != nil {
		opts = append(opts, libp2p.PrometheusRegisterer(cfg.Metrics))
	} else {
		opts = append(opts, libp2p.DisableMetrics())
	}
	if cfg.EnableRelayService {
		opts = append(opts, libp2p.EnableRelayService())
	}
	if cfg.EnableHolePunching {
		opts = append(opts, libp2p.EnableHolePunching())
	}
	if cfg.NATPortMap {
		opts = append(opts, libp2p.NATPortMap())
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		// libp2p.New closes the managers only on some failures; closing
		// them twice is harmless.
		rm.Close()
		cm.Close()
		return nil, fmt.Errorf("p2p: new host: %w", err)
	}
	return &managedHost{Host: h, rm: rm}, nil
}

// quicConnContext admits inbound QUIC connections through the resource
// manager, as go-libp2p's default QUIC connection manager does.
func quicConnContext(rm network.ResourceManager) func(context.Context, *quicgo.ClientInfo) (context.Context, error) {
	return func(ctx context.Context, ci *quicgo.ClientInfo) (context.Context, error) {
		addr, err := quicreuse.ToQuicMultiaddr(ci.RemoteAddr, quicgo.Version1)
		if err != nil {
			addr = nil // let the resource manager decide
		}
		scope, err := rm.OpenConnection(network.DirInbound, false, addr)
		if err != nil {
			return ctx, err
		}
		ctx = network.WithConnManagementScope(ctx, scope)
		context.AfterFunc(ctx, scope.Done)
		return ctx, nil
	}
}

// managedHost closes the resource manager, which the libp2p host does not
// own, after the host.
type managedHost struct {
	host.Host
	rm   network.ResourceManager
	once sync.Once
}

// Close closes the host and then its resource manager.
func (h *managedHost) Close() error {
	err := h.Host.Close()
	h.once.Do(func() {
		if cerr := h.rm.Close(); cerr != nil && err == nil {
			err = cerr
		}
	})
	if err != nil {
		return fmt.Errorf("p2p: close host: %w", err)
	}
	return nil
}

// AddrInfo returns the peer ID and listen addresses of h, for dialling it.
func AddrInfo(h host.Host) peer.AddrInfo {
	return peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}
}

// FullAddrs returns h's listen addresses as full multiaddrs ending in
// /p2p/<ID>, the form Config.Peers takes.
func FullAddrs(h host.Host) []string {
	ai := AddrInfo(h)
	mas, err := peer.AddrInfoToP2pAddrs(&ai)
	if err != nil {
		return nil
	}
	out := make([]string, len(mas))
	for i, a := range mas {
		out[i] = a.String()
	}
	return out
}
