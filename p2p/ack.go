package p2p

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// AckProtocolID is the libp2p protocol of gossip acknowledgements: after
// storing records that a peer sent by gossip, a node tells that peer how
// much of the peer's own device chain it now holds, so that the author
// knows its records are held elsewhere (its status's unshared count).
//
// Why an explicit ack: GossipSub never sends a message back to the peer it
// came from, IHAVE gossip only reaches peers outside the mesh and is sent
// before storing, and version vectors only travel with a sync (minutes
// apart). One small stream per stored batch, sent only to a peer whose
// device chain grew since the last ack, is the cheapest signal that means
// "stored here". The peer ID is the device key, so the ack needs to name
// only the society and a seq.
const AckProtocolID = "/commons/ack/1.0.0"

// Limits of acks.
const (
	ackMaxBytes  = 256
	ackTimeout   = 10 * time.Second
	maxAckKeys   = 4096
	maxAcksInFly = 16
)

// ack is the one message of an ack stream: "I hold your device chain of
// society S up to seq N".
type ack struct {
	Society crdt.Link `cbor:"s"`
	Seq     uint64    `cbor:"n"`
}

// ackKey identifies an ack target: a peer and a society.
type ackKey struct {
	peer peer.ID
	soc  string
}

// PeerRecords counts the records carried by gossip to and from one peer.
type PeerRecords struct {
	// In counts records first delivered by this peer and accepted.
	In int
	// Out counts records (own or relayed) handed to the transport for it.
	Out int
}

// acker sends and receives gossip acknowledgements and counts records per
// peer; it is part of Gossip.
type acker struct {
	mu     sync.Mutex
	sent   map[ackKey]uint64 // last seq acked to a peer for a society
	counts map[peer.ID]*PeerRecords
	fly    chan struct{} // bounds the acks being sent at once
}

func newAcker() *acker {
	return &acker{sent: map[ackKey]uint64{}, counts: map[peer.ID]*PeerRecords{}, fly: make(chan struct{}, maxAcksInFly)}
}

// DeviceKey returns the raw ed25519 device key a peer ID is made of (the
// peer ID of a Commons host is its device key).
func DeviceKey(p peer.ID) ([]byte, bool) {
	pk, err := p.ExtractPublicKey()
	if err != nil || pk.Type() != crypto.Ed25519 {
		return nil, false
	}
	raw, err := pk.Raw()
	return raw, err == nil
}

// ackSenders acknowledges, to each peer that delivered some of the
// records just stored, how much of its own device chain this node holds,
// when that grew since the last ack.
func (g *Gossip) ackSenders(soc cid.Cid, from []peer.ID) {
	self := g.h.ID()
	for _, p := range from {
		if p == self || p == "" {
			continue
		}
		key, ok := DeviceKey(p)
		if !ok {
			continue
		}
		h, err := g.st.Head(soc, key)
		if err != nil || h.Seq == 0 {
			continue
		}
		k := ackKey{p, soc.KeyString()}
		g.ack.mu.Lock()
		if g.ack.sent[k] >= h.Seq {
			g.ack.mu.Unlock()
			continue
		}
		if len(g.ack.sent) >= maxAckKeys {
			clear(g.ack.sent)
		}
		g.ack.sent[k] = h.Seq
		g.ack.mu.Unlock()
		select {
		case g.ack.fly <- struct{}{}:
		default:
			continue // too many under way: a later ack or sync tells it
		}
		go func() {
			defer func() { <-g.ack.fly }()
			if err := g.sendAck(p, soc, h.Seq); err != nil {
				g.ack.mu.Lock()
				if g.ack.sent[k] == h.Seq {
					delete(g.ack.sent, k) // try again with the next records
				}
				g.ack.mu.Unlock()
			}
		}()
	}
}

// sendAck sends one ack on its own stream.
func (g *Gossip) sendAck(p peer.ID, soc cid.Cid, seq uint64) error {
	ctx, cancel := context.WithTimeout(g.ctx, ackTimeout)
	defer cancel()
	body, err := crdt.Marshal(ack{Society: crdt.Link{Cid: soc}, Seq: seq})
	if err != nil {
		return fmt.Errorf("p2p: encode ack: %w", err)
	}
	s, err := g.h.NewStream(ctx, p, AckProtocolID)
	if err != nil {
		return fmt.Errorf("p2p: open ack stream: %w", err)
	}
	_ = s.SetDeadline(time.Now().Add(ackTimeout))
	if _, err := s.Write(body); err != nil {
		_ = s.Reset()
		return fmt.Errorf("p2p: send ack: %w", err)
	}
	return s.Close()
}

// handleAck reads one ack and reports it to OnAck when it is about a
// joined society.
func (g *Gossip) handleAck(s network.Stream) {
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(ackTimeout))
	b, err := io.ReadAll(io.LimitReader(s, ackMaxBytes+1))
	if err != nil || len(b) > ackMaxBytes {
		_ = s.Reset()
		return
	}
	var a ack
	if crdt.Unmarshal(b, &a) != nil || !a.Society.Defined() || a.Seq == 0 {
		_ = s.Reset()
		return
	}
	g.mu.Lock()
	joined := g.socs[TopicName(a.Society.Cid)] != nil
	g.mu.Unlock()
	if joined && g.opts.OnAck != nil {
		g.opts.OnAck(a.Society.Cid, s.Conn().RemotePeer(), a.Seq)
	}
}

// PeerRecords returns how many records gossip carried to and from each
// peer since the start.
func (g *Gossip) PeerRecords() map[peer.ID]PeerRecords {
	g.ack.mu.Lock()
	defer g.ack.mu.Unlock()
	out := make(map[peer.ID]PeerRecords, len(g.ack.counts))
	for p, c := range g.ack.counts {
		out[p] = *c
	}
	return out
}

// count adds to a peer's counters.
func (a *acker) count(p peer.ID, in, out int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.counts[p]
	if c == nil {
		c = &PeerRecords{}
		a.counts[p] = c
	}
	c.In += in
	c.Out += out
}

// tracer counts, per peer, the records gossip delivers and sends (a
// pubsub.RawTracer; only the calls that matter do anything).
type tracer struct {
	self peer.ID
	a    *acker
}

var _ pubsub.RawTracer = tracer{}

func (t tracer) DeliverMessage(m *pubsub.Message) {
	if m.ReceivedFrom != "" && m.ReceivedFrom != t.self {
		t.a.count(m.ReceivedFrom, 1, 0)
	}
}

func (t tracer) SendRPCCompleted(rpc *pubsub.RPC, p peer.ID, _ time.Duration) {
	if n := len(rpc.GetPublish()); n > 0 {
		t.a.count(p, 0, n)
	}
}

func (tracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (tracer) OnClosedOutboundStream(peer.ID)           {}
func (tracer) Join(string)                              {}
func (tracer) Leave(string)                             {}
func (tracer) Graft(peer.ID, string)                    {}
func (tracer) Prune(peer.ID, string)                    {}
func (tracer) ValidateMessage(*pubsub.Message)          {}
func (tracer) RejectMessage(*pubsub.Message, string)    {}
func (tracer) DuplicateMessage(*pubsub.Message)         {}
func (tracer) ThrottlePeer(peer.ID)                     {}
func (tracer) RecvRPC(*pubsub.RPC)                      {}
func (tracer) SendRPC(*pubsub.RPC, peer.ID)             {}
func (tracer) DropRPC(*pubsub.RPC, peer.ID)             {}
func (tracer) UndeliverableMessage(*pubsub.Message)     {}
