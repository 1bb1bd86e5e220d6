package p2p

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/commons-society/commons/identity"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	ma "github.com/multiformats/go-multiaddr"
)

var loopback = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

func newLoopbackHost(t *testing.T, key ed25519.PrivateKey) host.Host {
	t.Helper()
	h, err := NewHost(Config{Key: key, Listen: loopback})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// addrOf returns h's listen address over the transport with protocol code.
func addrOf(t *testing.T, h host.Host, code int) ma.Multiaddr {
	t.Helper()
	for _, a := range h.Addrs() {
		if _, err := a.ValueForProtocol(code); err == nil {
			return a
		}
	}
	t.Fatalf("%s listens on no %s address: %v", h.ID(), ma.ProtocolWithCode(code).Name, h.Addrs())
	return nil
}

func port(t *testing.T, a ma.Multiaddr, code int) string {
	t.Helper()
	p, err := a.ValueForProtocol(code)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	return p
}

func TestNewHostIdentity(t *testing.T) {
	key := newKey(t)
	h := newLoopbackHost(t, key)
	want, err := identity.IDFromPublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if h.ID().String() != want {
		t.Fatalf("peer ID %s, want %s", h.ID(), want)
	}
	if _, err := NewHost(Config{Key: key[:10]}); !errors.Is(err, ErrConfig) {
		t.Fatalf("short key: %v, want ErrConfig", err)
	}
	if _, err := NewHost(Config{Key: key, Listen: []string{"not an address"}}); !errors.Is(err, ErrConfig) {
		t.Fatalf("bad listen address: %v, want ErrConfig", err)
	}
}

func TestNewHostTransports(t *testing.T) {
	a := newLoopbackHost(t, newKey(t))
	b := newLoopbackHost(t, newKey(t))
	for _, tc := range []struct {
		name     string
		code     int // protocol of the transport's port
		security string
	}{
		{"tcp", ma.P_TCP, "/noise"},
		{"quic", ma.P_QUIC_V1, ""}, // QUIC brings its own TLS 1.3
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := tc.code
			portCode := code
			if code == ma.P_QUIC_V1 {
				portCode = ma.P_UDP
			}
			target := addrOf(t, b, code)
			a.Network().ClosePeer(b.ID())
			a.Peerstore().ClearAddrs(b.ID())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: []ma.Multiaddr{target}}); err != nil {
				t.Fatalf("connect over %s: %v", tc.name, err)
			}
			conns := a.Network().ConnsToPeer(b.ID())
			if len(conns) == 0 {
				t.Fatal("no connection")
			}
			c := conns[0]
			if _, err := c.RemoteMultiaddr().ValueForProtocol(code); err != nil {
				t.Fatalf("connection over %s, want %s", c.RemoteMultiaddr(), tc.name)
			}
			if tc.security != "" && string(c.ConnState().Security) != tc.security {
				t.Fatalf("security %q, want %q", c.ConnState().Security, tc.security)
			}
			// Reuseport is off: the dial does not come from a's listen port.
			if lp, dp := port(t, addrOf(t, a, code), portCode), port(t, c.LocalMultiaddr(), portCode); lp == dp {
				t.Fatalf("dialled from the listen port %s: port reuse is on", lp)
			}
			// Streams work over it: a libp2p ping.
			if r := <-ping.Ping(ctx, a, b.ID()); r.Error != nil {
				t.Fatalf("ping over %s: %v", tc.name, r.Error)
			}
		})
	}
}
