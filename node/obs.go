package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
	lpeer "github.com/libp2p/go-libp2p/core/peer"
)

// Reasons a peer's records or data are rejected: short stable labels, for
// status, logs and metrics (they name Prometheus series: never rename one).
const (
	ReasonTooLarge     = "too_large"     // over crdt.MaxRecordSize
	ReasonMalformed    = "malformed"     // not a record, or an unknown format version
	ReasonNonCanonical = "non_canonical" // not canonical dag-cbor
	ReasonSignature    = "bad_signature" // the author's signature does not verify
	ReasonCID          = "cid_mismatch"  // the bytes do not hash to the CID announced
	ReasonSociety      = "wrong_society" // a record of another society
	ReasonChain        = "bad_chain"     // breaks its device chain
	ReasonClock        = "bad_clock"     // its time does not follow its parents'
	ReasonNotMember    = "not_member"    // the author is no admitted member
	ReasonRevoked      = "revoked"       // written after its device's revocation or its member's departure
	ReasonNotAllowed   = "not_allowed"   // the ledger's rules refuse it (permissions, certificates, invites)
	ReasonBody         = "bad_body"      // a body the record type cannot read, or an unknown type
	ReasonProtocol     = "sync_protocol" // invalid sync messages (not a record)
	ReasonOther        = "other"
)

// reasonRules map errors to reasons, the most specific first: a sync
// session cut for a rejected record wraps both recsync.ErrBadPeer and the
// record's error.
var reasonRules = []struct {
	err    error
	reason string
}{
	{crdt.ErrTooLarge, ReasonTooLarge},
	{crdt.ErrNonCanonical, ReasonNonCanonical},
	{crdt.ErrMalformed, ReasonMalformed},
	{crdt.ErrVersion, ReasonMalformed},
	{crdt.ErrBadSignature, ReasonSignature},
	{crdt.ErrCIDMismatch, ReasonCID},
	{crdt.ErrWrongSociety, ReasonSociety},
	{crdt.ErrBadChain, ReasonChain},
	{crdt.ErrBadClock, ReasonClock},
	{ledger.ErrRevoked, ReasonRevoked},
	{ledger.ErrNotMember, ReasonNotMember},
	{ledger.ErrBadBody, ReasonBody},
	{ledger.ErrUnknownType, ReasonBody},
	{ledger.ErrNotAllowed, ReasonNotAllowed},
	{membership.ErrBadCert, ReasonNotAllowed},
	{membership.ErrBadInvite, ReasonNotAllowed},
	{recsync.ErrBadPeer, ReasonProtocol},
}

// RejectReason names why err refused a peer's record or data (one of the
// Reason constants).
func RejectReason(err error) string {
	for _, r := range reasonRules {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return ReasonOther
}

// Ways records arrive, labelling rejections and stored records.
const (
	viaGossip = "gossip"
	viaSync   = "sync"
)

// Bounds of the per-peer rejection counts.
const (
	// TopRejectingPeers is how many peers RejectionStatus lists by name;
	// the others are summed in OtherPeers.
	TopRejectingPeers = 10
	// trackedPeers is how many peers are counted by name at most; beyond
	// that, the peer with the fewest rejections is folded into the others,
	// so a flood of fresh peer IDs takes bounded memory.
	trackedPeers = 64
)

// RejectionStatus counts what peers sent that was refused since the
// network started: records gossip validation rejected, and sync sessions
// cut for invalid data (one each, named by the first rejected record's
// reason).
type RejectionStatus struct {
	Total int `json:"total"`
	// ByReason counts rejections by reason (RejectReason).
	ByReason map[string]int `json:"by_reason"`
	// Peers are the peers with the most rejections, most first, at most
	// TopRejectingPeers; OtherPeers sums the rejections of all the others.
	Peers      []PeerRejections `json:"peers"`
	OtherPeers int              `json:"other_peers"`
	// Penalties counts the times a peer lost GossipSub score for invalid
	// sync data (and was disconnected); invalid gossip costs score by
	// itself.
	Penalties int `json:"penalties"`
	// LogSuppressed counts the log lines about rejections left out by the
	// log's rate limit (the counts here are complete).
	LogSuppressed int `json:"log_suppressed"`
}

// PeerRejections counts one peer's rejections.
type PeerRejections struct {
	ID       string         `json:"id"`
	Total    int            `json:"total"`
	ByReason map[string]int `json:"by_reason"`
	// Penalties counts the sync offences it was penalised for.
	Penalties int `json:"penalties"`
	// Last is when its last rejection happened (RFC 3339), LastSociety
	// the short ID of that society.
	Last        string `json:"last"`
	LastSociety string `json:"last_society,omitempty"`
}

// peerCount is the running count of one tracked peer.
type peerCount struct {
	total, penalties int
	byReason         map[string]int
	last             time.Time
	lastSoc          string
}

// reasonVia keys the rejection counters of the metrics.
type reasonVia struct{ reason, via string }

// netObserver logs and counts what the network does: rejected records,
// penalised peers, records stored and syncs. It reads the wall clock only
// for log rates and display, never for anything stored.
type netObserver struct {
	log   *slog.Logger
	limit *logLimiter
	now   func() time.Time

	mu        sync.Mutex
	total     int
	byReason  map[string]int
	byVia     map[reasonVia]int
	peers     map[lpeer.ID]*peerCount
	evicted   int // rejections of peers no longer tracked by name
	penalties int
	stored    map[string]int // records stored, by way of arrival
	syncs     map[bool]int   // sessions ended, by success
}

func newNetObserver(log *slog.Logger, now func() time.Time) *netObserver {
	if log == nil {
		log = slog.Default()
	}
	return &netObserver{log: log, limit: newLogLimiter(now), now: now,
		byReason: map[string]int{}, byVia: map[reasonVia]int{}, peers: map[lpeer.ID]*peerCount{},
		stored: map[string]int{}, syncs: map[bool]int{}}
}

// ShortID is the short form of a society ID used in logs: its last 8
// characters.
func ShortID(soc cid.Cid) string {
	if !soc.Defined() {
		return "-"
	}
	s := soc.String()
	return s[max(0, len(s)-8):]
}

// rejected counts and logs a record or message of peer p refused.
func (o *netObserver) rejected(via string, soc cid.Cid, p lpeer.ID, err error) {
	reason := RejectReason(err)
	o.mu.Lock()
	o.total++
	o.byReason[reason]++
	o.byVia[reasonVia{reason, via}]++
	pc := o.peer(p)
	pc.total++
	pc.byReason[reason]++
	pc.last, pc.lastSoc = o.now(), ShortID(soc)
	o.mu.Unlock()
	o.warn("record rejected", slog.String("reason", reason), slog.String("peer", p.String()),
		slog.String("society", ShortID(soc)), slog.String("via", via), slog.String("error", errText(err)))
}

// penalised counts and logs a peer penalised for invalid sync data.
func (o *netObserver) penalised(soc cid.Cid, p lpeer.ID, err error, amount float64) {
	o.mu.Lock()
	o.penalties++
	o.peer(p).penalties++
	o.mu.Unlock()
	o.warn("peer penalised", slog.String("peer", p.String()), slog.String("society", ShortID(soc)),
		slog.String("reason", RejectReason(err)), slog.Float64("penalty", amount), slog.String("action", "disconnected"))
}

// peer returns p's count, making room for it if needed (o.mu held).
func (o *netObserver) peer(p lpeer.ID) *peerCount {
	if pc := o.peers[p]; pc != nil {
		return pc
	}
	if len(o.peers) >= trackedPeers {
		// Fold the least offending peer (the longest quiet among equals)
		// into the others.
		var low lpeer.ID
		var lc *peerCount
		for id, c := range o.peers {
			if lc == nil || c.total < lc.total || c.total == lc.total && (c.last.Before(lc.last) || c.last.Equal(lc.last) && id < low) {
				low, lc = id, c
			}
		}
		o.evicted += lc.total
		delete(o.peers, low)
	}
	pc := &peerCount{byReason: map[string]int{}}
	o.peers[p] = pc
	return pc
}

// warn logs at warning level within the log's rate limit; the first line
// after some were left out says how many.
func (o *netObserver) warn(msg string, attrs ...slog.Attr) {
	ok, left := o.limit.allow()
	if !ok {
		return
	}
	if left > 0 {
		attrs = append(attrs, slog.Int("suppressed", left))
	}
	o.log.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
}

// storedRecords counts records stored from the network.
func (o *netObserver) storedRecords(via string, soc cid.Cid, res crdt.Result) {
	if len(res.Applied) == 0 {
		return
	}
	o.mu.Lock()
	o.stored[via] += len(res.Applied)
	o.mu.Unlock()
	o.log.Debug("records stored", slog.String("society", ShortID(soc)), slog.String("via", via),
		slog.Int("records", len(res.Applied)), slog.Int("pending", res.Pending))
}

// syncEnded counts a sync session that ended and logs it at debug level.
func (o *netObserver) syncEnded(p recsync.Progress) {
	if !p.Done {
		return
	}
	o.mu.Lock()
	o.syncs[p.Err == nil]++
	o.mu.Unlock()
	attrs := []slog.Attr{slog.String("peer", p.Peer.String()), slog.String("society", ShortID(p.Society)),
		slog.Bool("inbound", p.Inbound), slog.Int("received", p.Received), slog.Int("sent", p.Sent)}
	if p.Err != nil {
		attrs = append(attrs, slog.String("error", errText(p.Err)))
		o.log.LogAttrs(context.Background(), slog.LevelDebug, "sync failed", attrs...)
		return
	}
	o.log.LogAttrs(context.Background(), slog.LevelDebug, "sync done", attrs...)
}

// status returns the rejection counts.
func (o *netObserver) status() *RejectionStatus {
	o.mu.Lock()
	defer o.mu.Unlock()
	st := &RejectionStatus{Total: o.total, ByReason: maps.Clone(o.byReason), OtherPeers: o.evicted,
		Penalties: o.penalties, Peers: []PeerRejections{}, LogSuppressed: o.limit.suppressedTotal()}
	for id, pc := range o.peers {
		if pc.total == 0 && pc.penalties == 0 {
			continue
		}
		st.Peers = append(st.Peers, PeerRejections{ID: id.String(), Total: pc.total, ByReason: maps.Clone(pc.byReason),
			Penalties: pc.penalties, Last: pc.last.UTC().Format(time.RFC3339), LastSociety: pc.lastSoc})
	}
	slices.SortFunc(st.Peers, func(a, b PeerRejections) int {
		return cmp.Or(cmp.Compare(b.Total+b.Penalties, a.Total+a.Penalties), strings.Compare(a.ID, b.ID))
	})
	if len(st.Peers) > TopRejectingPeers {
		for _, p := range st.Peers[TopRejectingPeers:] {
			st.OtherPeers += p.Total
		}
		st.Peers = st.Peers[:TopRejectingPeers]
	}
	return st
}

// Summary is a one-line account of the rejections, for plain status.
func (r *RejectionStatus) Summary() string {
	if r == nil || r.Total == 0 && r.Penalties == 0 {
		return "no records rejected"
	}
	reasons := slices.Sorted(maps.Keys(r.ByReason))
	slices.SortStableFunc(reasons, func(a, b string) int { return cmp.Compare(r.ByReason[b], r.ByReason[a]) })
	parts := make([]string, len(reasons))
	for i, k := range reasons {
		parts[i] = fmt.Sprintf("%s %d", k, r.ByReason[k])
	}
	s := fmt.Sprintf("%d rejected (%s) from %d peer(s)", r.Total, strings.Join(parts, ", "), len(r.Peers))
	if r.OtherPeers > 0 {
		s += fmt.Sprintf(" and others (%d from peers not listed)", r.OtherPeers)
	}
	switch {
	case r.Penalties == 1:
		s += ", 1 penalty"
	case r.Penalties > 1:
		s += fmt.Sprintf(", %d penalties", r.Penalties)
	}
	return s
}

// errText is an error's message on one line.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// Log rate limit: a burst of logBurst lines, then one per logEvery.
const (
	logBurst = 20
	logEvery = time.Second
)

// logLimiter is a token bucket for log lines: a flood of rejections
// cannot fill the disk or the terminal.
type logLimiter struct {
	now func() time.Time

	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int // left out since the last line
	total      int // left out in all
}

func newLogLimiter(now func() time.Time) *logLimiter {
	return &logLimiter{now: now, tokens: logBurst, last: now()}
}

// allow reports whether a line may be logged now and, if so, how many
// were left out since the last one.
func (l *logLimiter) allow() (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if d := now.Sub(l.last); d > 0 {
		l.tokens = min(logBurst, l.tokens+float64(d)/float64(logEvery))
		l.last = now
	}
	if l.tokens < 1 {
		l.suppressed++
		l.total++
		return false, 0
	}
	l.tokens--
	left := l.suppressed
	l.suppressed = 0
	return true, left
}

func (l *logLimiter) suppressedTotal() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// Log levels of the --log-level option.
var logLevels = []struct {
	name  string
	level slog.Level
}{{"debug", slog.LevelDebug}, {"info", slog.LevelInfo}, {"warn", slog.LevelWarn}, {"error", slog.LevelError}}

// ParseLogLevel reads a log level: debug, info, warn or error.
func ParseLogLevel(s string) (slog.Level, error) {
	for _, l := range logLevels {
		if strings.EqualFold(strings.TrimSpace(s), l.name) {
			return l.level, nil
		}
	}
	return 0, fmt.Errorf("%q is not a log level: give debug, info, warn or error", s)
}

// NewLogger is the log of a peer (commons-node run, the app): text lines
// at level and above, written to w (standard error).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
