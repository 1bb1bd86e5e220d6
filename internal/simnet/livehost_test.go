package simnet_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	"github.com/multiformats/go-multistream"
)

// TestLiveHost opens a stream on a mock connection already closed at both
// ends (as GossipSub does when it reopens its stream to a peer whose
// connection is being closed) and checks whether the far end's handler
// still answers on it: mocknet's host does, so data crosses a cut; a
// liveHost resets the stream.
func TestLiveHost(t *testing.T) {
	const proto = "/simnet/echo/1.0.0"
	for _, tc := range []struct {
		name     string
		live     bool
		wantEcho bool
	}{
		{"mocknet answers on a closed connection", false, true},
		{"liveHost resets the stream", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mn := mocknet.New()
			defer mn.Close()
			a, err := mn.GenPeer()
			if err != nil {
				t.Fatal(err)
			}
			b, err := mn.GenPeer()
			if err != nil {
				t.Fatal(err)
			}
			var ha host.Host = a
			if tc.live {
				ha = liveHost{a}
			}
			ha.SetStreamHandler(proto, func(s network.Stream) {
				defer s.Close()
				_, _ = io.CopyN(s, s, 4)
			})
			if err := mn.LinkAll(); err != nil {
				t.Fatal(err)
			}
			conn, err := mn.ConnectPeers(b.ID(), a.ID())
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.Close(); err != nil {
				t.Fatal(err)
			}
			// The far end closes its side asynchronously.
			deadline := time.Now().Add(10 * time.Second)
			for a.Network().Connectedness(b.ID()) == network.Connected {
				if time.Now().After(deadline) {
					t.Fatal("the far end is still connected")
				}
				time.Sleep(time.Millisecond)
			}
			s, err := conn.NewStream(context.Background())
			if err != nil {
				t.Fatalf("mocknet refused a stream on a closed connection (%v): liveHost may no longer be needed", err)
			}
			defer s.Reset()
			echo := false
			if multistream.SelectProtoOrFail(proto, s) == nil {
				buf := make([]byte, 4)
				if _, err := s.Write([]byte("ping")); err == nil {
					_, err = io.ReadFull(s, buf)
					echo = err == nil && string(buf) == "ping"
				}
			}
			if echo != tc.wantEcho {
				t.Fatalf("answered on a closed connection: %v, want %v", echo, tc.wantEcho)
			}
		})
	}
}
