// Package recsync is the catch-up sync protocol of Commons: two peers
// exchange the version vectors of one society in a single round trip, then
// each streams to the other, in causal order and in bounded batches, the
// records the other lacks (crdt.Store.RecordsAfter). Each side ingests the
// batches it receives as they arrive, durably, so a session cut off midway
// keeps what it got and the next one resumes from the new vector.
//
// A peer that sends anything invalid (an undecodable or oversized message,
// another society, a record the store rejects) ends the session at once:
// the stream is reset, Options.OnBadPeer is told, and the error wraps
// ErrBadPeer. A peer that makes no progress for Options.IdleTimeout has its
// stream reset, and so has one that sends a message slower than
// Options.MinBytesPerSecond (after a grace of IdleTimeout), or that keeps
// a session going past Options.SessionTimeout.
//
// Memory: message buffers grow as bytes arrive and are reserved from the
// stream's scope in libp2p's resource manager before they grow; the peers
// Options.Known does not know share Options.MaxUnknownSessions inbound
// sessions and Options.MaxUnknownBytes of buffers between them.
//
// Access: hellos name a society by its Handle, never its ID. A responder
// serves a society only to the member devices Options.Member names, and to
// a device whose hello proves an invite secret (Options.Invited), which
// gets only the invite's causal past and may send only its own join; any
// other peer gets the refusal of a society not held. An initiator sends
// its vector and records only to a member device, to the peer it sends an
// invite proof to, or when it holds nothing of the society.
package recsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtocolID is the libp2p protocol of the sync stream.
const ProtocolID = "/commons/sync/2.0.0"

// Handle is the name of a society in sync hellos: SHA-256 of a domain
// string and the society ID's bytes. Who knows the ID can compute it; who
// sees it learns nothing of the ID.
func Handle(soc cid.Cid) []byte {
	h := sha256.New()
	h.Write([]byte("commons-sync-v1\x00"))
	h.Write(soc.Bytes())
	return h.Sum(nil)
}

// Invitation is what an invited device sends in its hello: the invite
// record's CID and the invite key's signature over
// membership.SyncInviteMessage(society, the device's peer ID).
type Invitation struct {
	Invite cid.Cid
	Proof  []byte
}

// Errors a caller may want to tell apart.
var (
	// ErrBadPeer wraps every error caused by invalid data from the peer.
	ErrBadPeer = errors.New("recsync: peer sent invalid data")
	// ErrRefused is returned when the peer declines or abandons the session.
	ErrRefused = errors.New("recsync: peer refused the sync")
	// ErrUnknownSociety is returned (with ErrRefused) when the peer does not
	// hold the society asked for.
	ErrUnknownSociety = errors.New("recsync: peer does not hold the society")
	// ErrTimeout is returned when the peer made no progress for IdleTimeout,
	// was too slow sending a message, or overran the session's time.
	ErrTimeout = errors.New("recsync: peer stalled")
	// ErrNoMemory is returned when a message's buffer cannot be reserved
	// (the resource manager's limits, or the share of unknown peers).
	ErrNoMemory = errors.New("recsync: no memory for the peer's messages")
	// ErrClosed is returned by Sync after Close.
	ErrClosed = errors.New("recsync: service closed")
)

// Defaults of Options.
const (
	DefaultMaxRecordsPerSession = 200_000
	DefaultBatchSize            = 512
	DefaultIdleTimeout          = 20 * time.Second
	DefaultMaxMessageBytes      = 4 << 20
	DefaultMinBytesPerSecond    = 64 << 10
	DefaultSessionTimeout       = 5 * time.Minute
	DefaultMaxUnknownSessions   = 8
	DefaultMaxUnknownBytes      = 16 << 20
)

// maxInboundPerPeer bounds the sessions one peer may run against this node
// at once; more are refused as busy.
const maxInboundPerPeer = 4

// Options tune a Service; the zero value gives the defaults.
type Options struct {
	// MaxRecordsPerSession bounds the records sent, and those accepted, in
	// one session (default 200,000). A peer that sends more than this side
	// announced is a bad peer.
	MaxRecordsPerSession int
	// BatchSize is the most records one message carries (default 512, at
	// most 4096); batches are also cut to fit the message size limit.
	BatchSize int
	// IdleTimeout is how long a session may go without progress from the
	// peer before its stream is reset (default 20 s). Local work, such as
	// ingesting a batch, does not count as idle.
	IdleTimeout time.Duration
	// MaxMessageBytes bounds one message (default 4 MiB, at least what one
	// record of crdt.MaxRecordSize needs).
	MaxMessageBytes int
	// MinBytesPerSecond is the slowest pace a message may arrive at: from
	// its first byte and after a grace of IdleTimeout, its bytes must keep
	// up with this rate (default 64 KiB/s), however steadily they trickle
	// in.
	MinBytesPerSecond int
	// SessionTimeout bounds a whole session (default 5 min).
	SessionTimeout time.Duration
	// Known, if set, tells the peers this node knows (member devices);
	// nil knows every peer. The inbound sessions of unknown peers are at
	// most MaxUnknownSessions at once (default 8) and their message
	// buffers at most MaxUnknownBytes in total (default 16 MiB).
	Known              func(peer.ID) bool
	MaxUnknownSessions int
	MaxUnknownBytes    int
	// Member, if set, tells whether a peer is a member device of a society:
	// only those are served the society in full, and only to those does an
	// initiator that holds records of it send them. Nil takes every peer
	// for a member device.
	Member func(soc cid.Cid, p peer.ID) bool
	// Invited, if set, judges the invite proof in the hello of a peer that
	// Member does not know: a nil error serves it the invite's causal past
	// only, and accept tells which of its records to take (its own join);
	// any other record it sends makes it a bad peer. Nil admits no invited
	// peer.
	Invited func(soc cid.Cid, p peer.ID, invite cid.Cid, proof []byte) (accept func(*crdt.Record) bool, err error)
	// Societies lists the societies this node holds and serves; a peer
	// asking about another one is refused. Nil means the store's societies.
	Societies func() []cid.Cid
	// OnBadPeer, if set, is called when a peer sent invalid data, with the
	// society of the session (cid.Undef when the peer never named one) and
	// the error (which wraps ErrBadPeer, and the store's error for a
	// rejected record); the caller may disconnect it.
	OnBadPeer func(p peer.ID, soc cid.Cid, err error)
	// Admit, if set, gives the node's policy on the records a peer sends
	// about a society (see crdt.Admit; nil admits every record): a record
	// it refuses makes the peer a bad peer.
	Admit func(soc cid.Cid, from peer.ID) crdt.Admit
	// OnRecords, if set, is called after each received batch that stored
	// anything, with the result of its Ingest.
	OnRecords func(soc cid.Cid, res crdt.Result)
	// OnProgress, if set, is told how a session goes: once the vectors are
	// exchanged, after each batch received, and once when it ends (Done
	// set). The calls of one session come one after the other, in order.
	OnProgress func(Progress)
}

// Progress describes a session in progress, for status displays and for
// knowing which records a peer holds.
type Progress struct {
	// Session tells the sessions of one Service apart.
	Session uint64
	Peer    peer.ID
	Society cid.Cid
	// Inbound is true when the peer opened the session.
	Inbound bool
	// Ours and Theirs are the version vectors of the hellos: device key
	// (raw bytes as a string) to the highest contiguous seq held. They are
	// shared between the calls of a session and must not be modified.
	Ours, Theirs map[string]uint64
	// Expected is how many records the peer holds that this side lacked
	// at the hellos (at most the session's record limit); Received counts
	// the records received so far.
	Expected, Received int
	// Missing is how many records this side held that the peer lacked at
	// the hellos; Sent counts the records sent, known only when Done.
	Missing, Sent int
	// Done is set on the last call; Err is then why the session failed, or
	// nil when it completed (the peer stored every record sent).
	Done bool
	Err  error
}

// behind counts the records of have that want lacks.
func behind(have, want map[string]uint64) int {
	n := 0
	for k, s := range have {
		if w := want[k]; s > w {
			n += int(s - w)
		}
	}
	return n
}

func (o Options) withDefaults() Options {
	if o.MaxRecordsPerSession <= 0 {
		o.MaxRecordsPerSession = DefaultMaxRecordsPerSession
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	o.BatchSize = min(o.BatchSize, maxBatchRecords)
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	o.MaxMessageBytes = max(o.MaxMessageBytes, minMessageBytes)
	if o.MinBytesPerSecond <= 0 {
		o.MinBytesPerSecond = DefaultMinBytesPerSecond
	}
	if o.SessionTimeout <= 0 {
		o.SessionTimeout = DefaultSessionTimeout
	}
	if o.MaxUnknownSessions <= 0 {
		o.MaxUnknownSessions = DefaultMaxUnknownSessions
	}
	if o.MaxUnknownBytes <= 0 {
		o.MaxUnknownBytes = DefaultMaxUnknownBytes
	}
	return o
}

// Stats describes one session as seen by its initiator.
type Stats struct {
	// RecordsIn and RecordsOut count the records received and sent.
	RecordsIn, RecordsOut int
	// BytesIn and BytesOut count the stream bytes, framing included.
	BytesIn, BytesOut int64
	// RoundTrips counts request-response exchanges: 1, the vector exchange.
	RoundTrips int
	// Duration is the session's wall time.
	Duration time.Duration
}

// Service serves and initiates sync sessions over one libp2p host.
type Service struct {
	h    host.Host
	st   *crdt.Store
	opts Options

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	inbound  map[peer.ID]int
	unknown  int            // inbound sessions of unknown peers
	unkBytes int            // message buffers reserved by unknown peers
	sessions uint64         // sessions begun, numbering Progress.Session
	running  sync.WaitGroup // sessions in progress, both directions
}

// New returns a Service syncing the societies of st and registers its stream
// handler on h.
func New(h host.Host, st *crdt.Store, opts Options) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{h: h, st: st, opts: opts.withDefaults(), ctx: ctx, cancel: cancel, inbound: map[peer.ID]int{}}
	h.SetStreamHandler(ProtocolID, s.handle)
	return s
}

// Close removes the stream handler, aborts the sessions in progress and
// waits for them to end.
func (s *Service) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.h.RemoveStreamHandler(ProtocolID)
	s.cancel()
	s.running.Wait()
}

// begin registers a session; it fails once the service is closed.
func (s *Service) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.running.Add(1)
	return true
}

// societies returns the societies this node serves.
func (s *Service) societies() ([]cid.Cid, error) {
	if s.opts.Societies != nil {
		return s.opts.Societies(), nil
	}
	socs, err := s.st.Societies()
	if err != nil {
		return nil, fmt.Errorf("recsync: list societies: %w", err)
	}
	return socs, nil
}

// byHandle returns the society served whose Handle is handle.
func (s *Service) byHandle(handle []byte) (cid.Cid, bool, error) {
	socs, err := s.societies()
	if err != nil {
		return cid.Undef, false, err
	}
	for _, c := range socs {
		if bytes.Equal(Handle(c), handle) {
			return c, true, nil
		}
	}
	return cid.Undef, false, nil
}

// member reports whether Options.Member takes p for a member device of soc.
func (s *Service) member(soc cid.Cid, p peer.ID) bool {
	return s.opts.Member == nil || s.opts.Member(soc, p)
}

// Sync runs one session with peer p about society soc: it sends this
// node's version vector, receives the peer's, then sends the records the
// peer lacks while ingesting those it receives. Records ingested before an
// error stay stored. The society need not be held yet: a new member catches
// up this way.
//
// A peer that is no member device of soc (Options.Member) is not synced
// with while this node holds records of soc: Sync then fails with
// ErrUnknownSociety without contacting it.
func (s *Service) Sync(ctx context.Context, p peer.ID, soc cid.Cid) (Stats, error) {
	return s.sync(ctx, p, soc, nil)
}

// SyncInvited is Sync for a device that is no member of soc yet: its hello
// carries inv, which the peer checks before serving the invite's causal
// past, and this side sends the peer what it lacks whatever Member says.
func (s *Service) SyncInvited(ctx context.Context, p peer.ID, soc cid.Cid, inv Invitation) (Stats, error) {
	return s.sync(ctx, p, soc, &inv)
}

func (s *Service) sync(ctx context.Context, p peer.ID, soc cid.Cid, inv *Invitation) (Stats, error) {
	start := time.Now()
	if !s.begin() {
		return Stats{}, ErrClosed
	}
	defer s.running.Done()
	if inv == nil && !s.member(soc, p) {
		vv, err := s.st.VersionVector(soc)
		if err != nil {
			return Stats{}, fmt.Errorf("recsync: version vector: %w", err)
		}
		if len(vv) > 0 {
			return Stats{}, fmt.Errorf("recsync: sync %s with %s: %w: %w: the peer is no member device", soc, p, ErrRefused, ErrUnknownSociety)
		}
	}
	str, err := s.h.NewStream(ctx, p, ProtocolID)
	if err != nil {
		return Stats{}, fmt.Errorf("recsync: open stream to %s: %w", p, err)
	}
	ss := s.newSession(str, soc)
	ss.peer, ss.inv = p, inv
	stopCtx := context.AfterFunc(ctx, func() { ss.fail(fmt.Errorf("recsync: %w", context.Cause(ctx))) })
	defer stopCtx()
	stats, err := ss.initiate()
	stats.Duration = time.Since(start)
	ss.ended(err)
	if err != nil {
		s.badPeer(p, soc, err)
		return stats, fmt.Errorf("recsync: sync %s with %s: %w", soc, p, err)
	}
	return stats, nil
}

// SyncAll syncs every society this node holds with peer p, one after the
// other. Societies the peer does not hold are skipped; a bad peer or a
// cancelled context ends the round. The errors of the others are joined.
func (s *Service) SyncAll(ctx context.Context, p peer.ID) error {
	socs, err := s.societies()
	if err != nil {
		return err
	}
	var errs []error
	for _, soc := range socs {
		_, err := s.Sync(ctx, p, soc)
		switch {
		case err == nil, errors.Is(err, ErrUnknownSociety):
		case errors.Is(err, ErrBadPeer), errors.Is(err, ErrClosed), ctx.Err() != nil:
			return errors.Join(append(errs, err)...)
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// takeUnknown reserves n bytes of the unknown peers' share, or reports
// that it is used up; a negative n gives bytes back.
func (s *Service) takeUnknown(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > 0 && s.unkBytes+n > s.opts.MaxUnknownBytes {
		return false
	}
	s.unkBytes += n
	return true
}

// badPeer reports err to OnBadPeer when it blames the peer.
func (s *Service) badPeer(p peer.ID, soc cid.Cid, err error) {
	if s.opts.OnBadPeer != nil && errors.Is(err, ErrBadPeer) {
		s.opts.OnBadPeer(p, soc, err)
	}
}

// handle serves one inbound session.
func (s *Service) handle(str network.Stream) {
	if !s.begin() {
		_ = str.Reset()
		return
	}
	defer s.running.Done()
	p := str.Conn().RemotePeer()
	known := s.opts.Known == nil || s.opts.Known(p)
	s.mu.Lock()
	busy := s.inbound[p] >= maxInboundPerPeer || !known && s.unknown >= s.opts.MaxUnknownSessions
	if !busy {
		s.inbound[p]++
		if !known {
			s.unknown++
		}
	}
	s.mu.Unlock()
	ss := s.newSession(str, cid.Undef)
	ss.peer, ss.inbound, ss.unknown = p, true, !known
	if busy {
		ss.refuse(codeBusy, "too many sessions")
		return
	}
	defer func() {
		s.mu.Lock()
		if s.inbound[p]--; s.inbound[p] <= 0 {
			delete(s.inbound, p)
		}
		if !known {
			s.unknown--
		}
		s.mu.Unlock()
	}()
	err := ss.respond()
	ss.ended(err)
	if err != nil {
		s.badPeer(p, ss.soc, err)
	}
}
