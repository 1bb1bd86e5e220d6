package p2p

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// MaxMessageSize is the largest GossipSub RPC accepted or sent: one record
// of crdt.MaxRecordSize plus 4 KiB for the RPC framing, the topic name and
// control messages. A peer sending more has its stream reset.
const MaxMessageSize = crdt.MaxRecordSize + 4<<10

// Errors of Gossip.
var (
	// ErrNotJoined is returned for a society whose topic was not joined.
	ErrNotJoined = errors.New("p2p: society topic not joined")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("p2p: gossip closed")
)

// TopicName is the GossipSub topic of a society: "/commons/t/" and a
// keyed hash of the society ID (societyTag), so that the topic, which
// peers and relays see, does not reveal the ID.
func TopicName(soc cid.Cid) string { return "/commons/t/" + societyTag("commons-topic-v1", soc) }

// societyTag is the unpadded lower-case base32 of SHA-256 over a domain
// string and the society ID's bytes: who knows the ID can compute it, who
// sees it learns nothing of the ID.
func societyTag(domain string, soc cid.Cid) string {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(soc.Bytes())
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)))
}

// StrangerScore is the application score of a peer that is no member
// device of any society joined (GossipOptions.Member): below the publish
// threshold, so that no record is published or forwarded to it outside
// the mesh (flood publishing included), and above the graylist, so that
// what it sends is still judged.
const StrangerScore = -400

// GossipOptions are the hooks and tuning of a Gossip. The hooks may be
// called from several goroutines at once.
type GossipOptions struct {
	// OnRecords is called after each ingest of gossiped records that
	// changed something (records applied, parked as pending, rejected, forks
	// found); pure duplicates are not reported. It runs in the society's
	// ingest goroutine: return quickly.
	OnRecords func(soc cid.Cid, res crdt.Result)
	// OnMissing is called when a peer sends a record whose parents this
	// store lacks (crdt.Ignore), so that the node can sync with that peer.
	// It runs in its own goroutine, at most once per MissingInterval for a
	// given society and peer, and only for a peer that Member says is a
	// member device: a stranger's records with unknown parents are ignored
	// and earn it no sync.
	OnMissing func(soc cid.Cid, from peer.ID)
	// Member, if set, tells whether a peer's device is a member device of
	// a society; nil takes every peer for one. Only member devices of a
	// society are in its topic's mesh and gossip (pubsub.WithPeerFilter),
	// and a peer that is a member device of no joined society scores
	// StrangerScore.
	Member func(soc cid.Cid, p peer.ID) bool
	// OnAck is called when a peer acknowledges that it stored this
	// device's records of a society up to seq (see AckProtocolID). Peers
	// may lie: seq is as the peer tells it.
	OnAck func(soc cid.Cid, from peer.ID, seq uint64)
	// Admit, if set, is the node's policy on gossiped records (see
	// crdt.Admit): a record it refuses is ignored, neither stored nor
	// forwarded, and earns no sync back.
	Admit crdt.Admit
	// OnReject is called for each message of another peer that validation
	// rejects (the sender's GossipSub score drops for it) or that Admit
	// refuses (ignored: no score is lost, an honest peer may relay it),
	// with the peer that delivered it and why (the store's error: crdt's
	// or the ledger's). It runs in the validation pipeline: return
	// quickly.
	OnReject func(soc cid.Cid, from peer.ID, err error)
	// OnError is called when storing gossiped records fails (a store
	// error, not a bad record).
	OnError func(soc cid.Cid, err error)
	// MissingInterval rate-limits OnMissing per society and peer (default
	// 10 s).
	MissingInterval time.Duration
	// ScoreInterval is how often the peer scores reported by Scores are
	// refreshed (default 10 s).
	ScoreInterval time.Duration
}

// Tuning of the validation and delivery pipeline.
const (
	validatorTimeout   = 5 * time.Second
	parentWait         = 2 * time.Second
	validateQueue      = 1024
	subscriptionBuffer = 1024
	ingestBatch        = 64
	flightTTL          = time.Minute
)

// Gossip carries the records of the societies a node holds over GossipSub,
// one topic per society (TopicName).
//
// Validation: every message, including the node's own, goes through a
// topic validator that runs Store.Validate without storing anything:
// crdt.Reject makes it pubsub.ValidationReject (the sender's score drops;
// another peer's is reported to OnReject),
// crdt.Ignore makes it pubsub.ValidationIgnore and reports the sender to
// OnMissing when it is a member device (GossipOptions.Member), crdt.Accept makes it pubsub.ValidationAccept (the message is
// forwarded and delivered).
//
// Validation is sequential: one validation worker runs the validators
// inline, so the records arriving in order on a stream (a burst from one
// author) are judged in that order.
//
// Storing: accepted messages are stored by a per-society ingest goroutine
// reading the subscription, in batches, so that Store.Ingest and its fsync
// are not part of validation. A record whose parents were accepted but are
// still on their way to the store is not ignored: its validator waits (at
// most 2 s) for those parents to be stored and then validates it again.
//
// Messages carry no libp2p signature (pubsub.StrictNoSign): a record is
// signed by its author already, and the message ID is the record's CID
// (MessageID), so the same record relayed or republished by different peers
// is one message. Own records are flood-published to every subscribed peer
// whose score allows it (go-libp2p-pubsub v0.19 defaults to mesh-only
// publishing, which loses records published before the mesh has formed).
// Messages are limited to MaxMessageSize; peer exchange is off.
//
// Acknowledging: after storing a batch, a node acks to each peer that
// delivered part of it how far it holds that peer's own device chain
// (AckProtocolID), so that authors know their records are held. Records
// delivered and sent are counted per peer (PeerRecords).
type Gossip struct {
	h      host.Host
	st     *crdt.Store
	opts   GossipOptions
	ps     *pubsub.PubSub
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	socs   map[string]*societyTopic // by TopicName
	// topics maps the TopicName of each joined society to its ID, for the
	// peer filter and scores, which pubsub calls from its event loop (g.mu
	// may be held while pubsub works: not usable there).
	topics sync.Map

	fmu       sync.Mutex
	flights   map[string]*flight // accepted, not yet stored: by CID string
	lastSweep time.Time

	mmu     sync.Mutex
	missing map[missingKey]time.Time

	smu    sync.Mutex
	scores map[peer.ID]float64

	pmu       sync.Mutex
	penalties map[peer.ID]penalty // application penalties (Penalize)
	now       func() time.Time    // the clock of penalties (tests set it)

	ack       *acker       // acks and per-peer counts (ack.go)
	strangers atomic.Int64 // records with unknown parents from non-members
}

type societyTopic struct {
	soc    cid.Cid
	topic  *pubsub.Topic
	sub    *pubsub.Subscription
	cancel context.CancelFunc
	done   chan struct{}
}

// flight is a record accepted by a validator and not yet stored.
type flight struct {
	stored chan struct{}
	since  time.Time
}

type missingKey struct {
	soc  string
	peer peer.ID
}

// NewGossip starts GossipSub on h for the records of st. It joins no topic
// yet (see Join). ctx bounds the life of the pubsub service; Close stops it
// too.
func NewGossip(ctx context.Context, h host.Host, st *crdt.Store, opts GossipOptions) (*Gossip, error) {
	if h == nil || st == nil {
		return nil, fmt.Errorf("%w: gossip needs a host and a store", ErrConfig)
	}
	if opts.MissingInterval <= 0 {
		opts.MissingInterval = 10 * time.Second
	}
	if opts.ScoreInterval <= 0 {
		opts.ScoreInterval = 10 * time.Second
	}
	gctx, cancel := context.WithCancel(ctx)
	g := &Gossip{h: h, st: st, opts: opts, ctx: gctx, cancel: cancel,
		socs: map[string]*societyTopic{}, flights: map[string]*flight{},
		missing: map[missingKey]time.Time{}, scores: map[peer.ID]float64{}, penalties: map[peer.ID]penalty{}, now: time.Now, ack: newAcker()}
	params := PeerScoreParams()
	params.AppSpecificScore = g.appScore
	ps, err := pubsub.NewGossipSub(gctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMaxMessageSize(MaxMessageSize),
		pubsub.WithPeerExchange(false),
		pubsub.WithValidateWorkers(1),
		pubsub.WithValidateQueueSize(validateQueue),
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerScore(params, PeerScoreThresholds()),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(g.setScores), opts.ScoreInterval),
		pubsub.WithRawTracer(tracer{self: h.ID(), a: g.ack}),
		pubsub.WithPeerFilter(g.peerFilter),
	)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("p2p: start gossipsub: %w", err)
	}
	g.ps = ps
	h.SetStreamHandler(AckProtocolID, g.handleAck)
	return g, nil
}

// MessageID is the GossipSub message ID of a record: its CID string. It is
// the same whoever publishes or relays the record.
func MessageID(m *pb.Message) string { return crdt.CIDOf(m.GetData()).String() }

// PeerScoreParams are the GossipSub peer-scoring parameters of Commons.
// Society traffic is sparse and bursty (people acting), so the mesh
// delivery-rate penalties are off; what counts is invalid messages (see
// TopicScoreParams), a small reward for first deliveries and time in the
// mesh, and GossipSub's protocol-misbehaviour penalty. More than 8 peers
// from one IP address (loopback excepted) are penalised.
func PeerScoreParams() *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		Topics:                      map[string]*pubsub.TopicScoreParams{},
		TopicScoreCap:               50,
		AppSpecificScore:            func(peer.ID) float64 { return 0 },
		AppSpecificWeight:           1,
		IPColocationFactorWeight:    -10,
		IPColocationFactorThreshold: 8,
		IPColocationFactorWhitelist: []*net.IPNet{
			{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)},
			{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
		},
		BehaviourPenaltyWeight:    -10,
		BehaviourPenaltyThreshold: 6,
		BehaviourPenaltyDecay:     pubsub.ScoreParameterDecay(10 * time.Minute),
		DecayInterval:             pubsub.DefaultDecayInterval,
		DecayToZero:               pubsub.DefaultDecayToZero,
		RetainScore:               30 * time.Minute,
	}
}

// TopicScoreParams are the scoring parameters of a society topic. Invalid
// messages (records that Store.Validate rejects) cost their sender 50 × n²
// points for n of them, decaying to nothing over an hour; the rewards (time
// in the mesh, at most 3, and first deliveries of valid records, at most
// 20) cannot make up for that: two invalid messages put a peer below the
// gossip threshold, three below the publish threshold and four on the
// graylist (see PeerScoreThresholds).
func TopicScoreParams() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		TopicWeight:                    1,
		TimeInMeshWeight:               0.01,
		TimeInMeshQuantum:              time.Second,
		TimeInMeshCap:                  300,
		FirstMessageDeliveriesWeight:   0.5,
		FirstMessageDeliveriesDecay:    pubsub.ScoreParameterDecay(10 * time.Minute),
		FirstMessageDeliveriesCap:      40,
		InvalidMessageDeliveriesWeight: -50,
		InvalidMessageDeliveriesDecay:  pubsub.ScoreParameterDecay(time.Hour),
	}
}

// PeerScoreThresholds are the GossipSub score thresholds of Commons (see
// TopicScoreParams for what an invalid message costs).
func PeerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             -100,
		PublishThreshold:            -300,
		GraylistThreshold:           -600,
		AcceptPXThreshold:           100,
		OpportunisticGraftThreshold: 5,
	}
}

// PubSub returns the underlying pubsub service (for diagnostics).
func (g *Gossip) PubSub() *pubsub.PubSub { return g.ps }

// Join subscribes to a society's topic and starts validating, storing and
// forwarding its records. Joining a joined society does nothing.
func (g *Gossip) Join(soc cid.Cid) error {
	if !soc.Defined() {
		return fmt.Errorf("%w: undefined society", ErrConfig)
	}
	name := TopicName(soc)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	if g.socs[name] != nil {
		return nil
	}
	g.topics.Store(name, soc)
	err := g.ps.RegisterTopicValidator(name, pubsub.ValidatorEx(g.validator(soc)),
		pubsub.WithValidatorInline(true),
		pubsub.WithValidatorTimeout(validatorTimeout))
	if err != nil {
		g.topics.Delete(name)
		return fmt.Errorf("p2p: join %s: validator: %w", soc, err)
	}
	topic, err := g.ps.Join(name)
	if err != nil {
		g.topics.Delete(name)
		_ = g.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("p2p: join %s: %w", soc, err)
	}
	if err := topic.SetScoreParams(TopicScoreParams()); err != nil {
		g.topics.Delete(name)
		_ = topic.Close()
		_ = g.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("p2p: join %s: score params: %w", soc, err)
	}
	sub, err := topic.Subscribe(pubsub.WithBufferSize(subscriptionBuffer))
	if err != nil {
		g.topics.Delete(name)
		_ = topic.Close()
		_ = g.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("p2p: join %s: subscribe: %w", soc, err)
	}
	ctx, cancel := context.WithCancel(g.ctx)
	s := &societyTopic{soc: soc, topic: topic, sub: sub, cancel: cancel, done: make(chan struct{})}
	g.socs[name] = s
	go g.run(ctx, s)
	return nil
}

// Leave unsubscribes from a society's topic. Leaving a society not joined
// does nothing.
func (g *Gossip) Leave(soc cid.Cid) error {
	name := TopicName(soc)
	g.mu.Lock()
	s := g.socs[name]
	delete(g.socs, name)
	g.mu.Unlock()
	if s == nil {
		return nil
	}
	return g.leave(name, s)
}

func (g *Gossip) leave(name string, s *societyTopic) error {
	g.topics.Delete(name)
	s.sub.Cancel()
	s.cancel()
	<-s.done // the subscription is closed once its loop has ended
	var errs []error
	if err := s.topic.Close(); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, err)
	}
	if err := g.ps.UnregisterTopicValidator(name); err != nil && g.ctx.Err() == nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("p2p: leave %s: %w", s.soc, err)
	}
	return nil
}

// Publish sends a record of a joined society to its topic. The record is
// validated locally first, as any received record, and stored by the
// ingest loop if it is not held yet. Having no peer to send to is not an
// error: sync carries the record later.
func (g *Gossip) Publish(ctx context.Context, soc cid.Cid, raw []byte) error {
	if len(raw) > crdt.MaxRecordSize {
		return fmt.Errorf("p2p: publish: %w: %d bytes", crdt.ErrTooLarge, len(raw))
	}
	g.mu.Lock()
	s := g.socs[TopicName(soc)]
	closed := g.closed
	g.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if s == nil {
		return fmt.Errorf("%w: %s", ErrNotJoined, soc)
	}
	if err := s.topic.Publish(ctx, raw); err != nil {
		return fmt.Errorf("p2p: publish %s to %s: %w", crdt.CIDOf(raw), soc, err)
	}
	return nil
}

// Peers lists the connected peers subscribed to a society's topic.
func (g *Gossip) Peers(soc cid.Cid) []peer.ID {
	return g.ps.ListPeers(TopicName(soc))
}

// Scores returns the GossipSub scores of the connected peers, as of the
// last refresh (GossipOptions.ScoreInterval).
func (g *Gossip) Scores() map[peer.ID]float64 {
	g.smu.Lock()
	defer g.smu.Unlock()
	return maps.Clone(g.scores)
}

func (g *Gossip) setScores(m map[peer.ID]float64) {
	g.smu.Lock()
	g.scores = maps.Clone(m)
	g.smu.Unlock()
}

// Close leaves every topic and stops GossipSub. The host and the store
// stay open.
func (g *Gossip) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.h.RemoveStreamHandler(AckProtocolID)
	socs := g.socs
	g.socs = map[string]*societyTopic{}
	g.mu.Unlock()
	var errs []error
	for name, s := range socs {
		if err := g.leave(name, s); err != nil {
			errs = append(errs, err)
		}
	}
	g.cancel()
	g.fmu.Lock()
	for id, f := range g.flights {
		close(f.stored)
		delete(g.flights, id)
	}
	g.fmu.Unlock()
	return errors.Join(errs...)
}

// validator judges the messages of one society's topic.
func (g *Gossip) validator(soc cid.Cid) func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
	return func(ctx context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		data := msg.GetData()
		switch {
		case len(data) == 0:
			return g.reject(soc, from, fmt.Errorf("%w: empty message", crdt.ErrMalformed))
		case len(data) > crdt.MaxRecordSize:
			return g.reject(soc, from, fmt.Errorf("%w: %d bytes", crdt.ErrTooLarge, len(data)))
		}
		v, c, err := g.st.ValidateAdmit(soc, data, g.opts.Admit)
		if v == crdt.Ignore && err == nil && g.waitParents(ctx, data) {
			// The missing parents were on their way to the store, or
			// landed since Validate looked.
			v, c, err = g.st.ValidateAdmit(soc, data, g.opts.Admit)
		}
		switch v {
		case crdt.Accept:
			g.track(c)
			return pubsub.ValidationAccept
		case crdt.Reject:
			return g.reject(soc, from, err)
		default:
			// Ignore with an error is a local failure (the store) or a
			// record Admit refused, not evidence of missing history.
			if errors.Is(err, crdt.ErrNotAdmitted) {
				g.reject(soc, from, err)
			}
			if err == nil && from != g.h.ID() {
				if g.opts.Member == nil || g.opts.Member(soc, from) {
					g.reportMissing(soc, from)
				} else {
					g.strangers.Add(1)
				}
			}
			return pubsub.ValidationIgnore
		}
	}
}

// reject reports a rejected message of another peer to OnReject.
func (g *Gossip) reject(soc cid.Cid, from peer.ID, err error) pubsub.ValidationResult {
	if g.opts.OnReject != nil && from != g.h.ID() {
		g.opts.OnReject(soc, from, err)
	}
	return pubsub.ValidationReject
}

// track records that c was accepted and is on its way to the store.
func (g *Gossip) track(c cid.Cid) {
	id := c.String()
	g.fmu.Lock()
	defer g.fmu.Unlock()
	if g.ctx.Err() != nil {
		return
	}
	if _, ok := g.flights[id]; !ok {
		g.flights[id] = &flight{stored: make(chan struct{}), since: time.Now()}
	}
}

// landed marks records as stored (or given up on) and wakes their waiters.
// Now and then it also drops flights that never reached the ingest loop (a
// subscription that overflowed, a topic left).
func (g *Gossip) landed(ids []string) {
	g.fmu.Lock()
	defer g.fmu.Unlock()
	for _, id := range ids {
		if f, ok := g.flights[id]; ok {
			close(f.stored)
			delete(g.flights, id)
		}
	}
	now := time.Now()
	if now.Sub(g.lastSweep) < flightTTL/4 {
		return
	}
	g.lastSweep = now
	for id, f := range g.flights {
		if now.Sub(f.since) > flightTTL {
			close(f.stored)
			delete(g.flights, id)
		}
	}
}

// waitParents waits until those parents of a record that were accepted but
// not yet stored are stored (none may be). It returns false when the record
// cannot be decoded, or when ctx ends or parentWait passes first; true
// means the record is worth validating again (a parent may also have been
// stored between the first look and the wait).
func (g *Gossip) waitParents(ctx context.Context, data []byte) bool {
	r, _, err := crdt.Decode(data)
	if err != nil {
		return false
	}
	parents := make([]crdt.Link, 0, len(r.Deps)+1)
	if r.Prev != nil {
		parents = append(parents, *r.Prev)
	}
	parents = append(parents, r.Deps...)
	var waits []chan struct{}
	g.fmu.Lock()
	for _, p := range parents {
		if f, ok := g.flights[p.String()]; ok {
			waits = append(waits, f.stored)
		}
	}
	g.fmu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, parentWait)
	defer cancel()
	for _, w := range waits {
		select {
		case <-w:
		case <-ctx.Done():
			return false
		case <-g.ctx.Done():
			return false
		}
	}
	return true
}

// reportMissing calls OnMissing, at most once per MissingInterval for a
// society and peer.
func (g *Gossip) reportMissing(soc cid.Cid, from peer.ID) {
	if g.opts.OnMissing == nil || from == "" {
		return
	}
	k := missingKey{soc.KeyString(), from}
	now := time.Now()
	g.mmu.Lock()
	if t, ok := g.missing[k]; ok && now.Sub(t) < g.opts.MissingInterval {
		g.mmu.Unlock()
		return
	}
	g.missing[k] = now
	if len(g.missing) > 4096 { // forget old entries
		for mk, t := range g.missing {
			if now.Sub(t) >= g.opts.MissingInterval {
				delete(g.missing, mk)
			}
		}
	}
	g.mmu.Unlock()
	go g.opts.OnMissing(soc, from)
}

// run reads a society's subscription and stores what it delivers.
func (g *Gossip) run(ctx context.Context, s *societyTopic) {
	defer close(s.done)
	msgs := make(chan *pubsub.Message, ingestBatch)
	ingested := make(chan struct{})
	go func() {
		defer close(ingested)
		g.ingestLoop(s.soc, msgs)
	}()
	defer func() {
		close(msgs)
		<-ingested
	}()
	for {
		msg, err := s.sub.Next(ctx)
		if err != nil {
			// Cancelled (Leave, Close) or the subscription ended. Flights
			// of messages left unread are dropped by landed's sweep or by
			// Close.
			return
		}
		select {
		case msgs <- msg:
		case <-ctx.Done():
			g.landed([]string{msg.ID})
			return
		}
	}
}

// ingestLoop stores delivered records, batching those that queue up while
// a store is under way.
func (g *Gossip) ingestLoop(soc cid.Cid, msgs <-chan *pubsub.Message) {
	raws := make([][]byte, 0, ingestBatch)
	ids := make([]string, 0, ingestBatch)
	var from []peer.ID
	for msg := range msgs {
		raws, ids, from = append(raws[:0], msg.GetData()), append(ids[:0], msg.ID), append(from[:0], msg.ReceivedFrom)
	more:
		for len(raws) < ingestBatch {
			select {
			case m, ok := <-msgs:
				if !ok {
					break more
				}
				raws, ids = append(raws, m.GetData()), append(ids, m.ID)
				if !slices.Contains(from, m.ReceivedFrom) {
					from = append(from, m.ReceivedFrom)
				}
			default:
				break more
			}
		}
		res, err := g.st.Ingest(soc, raws)
		g.landed(ids)
		if err != nil {
			if g.opts.OnError != nil {
				g.opts.OnError(soc, fmt.Errorf("p2p: store gossiped records of %s: %w", soc, err))
			}
			continue
		}
		g.ackSenders(soc, from)
		if g.opts.OnRecords != nil && (len(res.Applied) > 0 || res.Pending > 0 || len(res.Rejected) > 0 || res.Forks > 0 || res.Rebuilt) {
			g.opts.OnRecords(soc, res)
		}
	}
}

// PenaltyBadSync is the application score a peer loses each time it sends
// invalid data outside gossip (to the sync protocol): one offence puts it
// below the gossip threshold, three below the graylist threshold.
const PenaltyBadSync = 250

// PenaltyHalfLife is how fast application penalties fade: a penalty
// halves every PenaltyHalfLife (as invalid gossip messages fade over an
// hour, see TopicScoreParams), so one offence keeps a peer below the
// gossip threshold for about 20 minutes, and a peer that stops
// misbehaving is forgiven in the end.
const PenaltyHalfLife = 15 * time.Minute

// penalty is a peer's application penalty (negative) as of a time.
type penalty struct {
	v  float64
	at time.Time
}

// decayed returns the penalty decayed to now.
func (p penalty) decayed(now time.Time) float64 {
	return p.v * math.Exp2(-float64(now.Sub(p.at))/float64(PenaltyHalfLife))
}

// Penalize lowers a peer's GossipSub score for misbehaviour seen outside
// gossip, such as invalid records sent by sync. Penalties add up and decay
// with PenaltyHalfLife.
func (g *Gossip) Penalize(p peer.ID, amount float64) {
	g.pmu.Lock()
	defer g.pmu.Unlock()
	now := g.now()
	g.penalties[p] = penalty{v: g.penalties[p].decayed(now) - amount, at: now}
}

// appScore is the application-specific part of peer scores: the peer's
// decayed penalty, plus StrangerScore for a peer that is a member device of
// no joined society. Penalties that faded below one point are forgotten.
func (g *Gossip) appScore(p peer.ID) float64 {
	v := g.penalty(p)
	if !g.memberAnywhere(p) {
		v += StrangerScore
	}
	return v
}

// penalty returns a peer's decayed penalty.
func (g *Gossip) penalty(p peer.ID) float64 {
	g.pmu.Lock()
	defer g.pmu.Unlock()
	pen, ok := g.penalties[p]
	if !ok {
		return 0
	}
	v := pen.decayed(g.now())
	if v > -1 {
		delete(g.penalties, p)
		return 0
	}
	return v
}

// memberAnywhere reports whether GossipOptions.Member takes p for a member
// device of some joined society (always, without Member).
func (g *Gossip) memberAnywhere(p peer.ID) bool {
	if g.opts.Member == nil {
		return true
	}
	member := false
	g.topics.Range(func(_, soc any) bool {
		member = g.opts.Member(soc.(cid.Cid), p)
		return !member
	})
	return member
}

// peerFilter lets only member devices of a society into its topic's mesh
// and gossip (pubsub.WithPeerFilter).
func (g *Gossip) peerFilter(p peer.ID, topic string) bool {
	if g.opts.Member == nil {
		return true
	}
	soc, ok := g.topics.Load(topic)
	return ok && g.opts.Member(soc.(cid.Cid), p)
}
