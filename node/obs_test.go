package node

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/p2p/recsync"
	lpeer "github.com/libp2p/go-libp2p/core/peer"
)

// TestRejectReason: every error a store or a sync session gives for a
// peer's data has its reason, the record's own before the session's.
func TestRejectReason(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: 9000000 bytes", crdt.ErrTooLarge), ReasonTooLarge},
		{crdt.ErrMalformed, ReasonMalformed},
		{fmt.Errorf("%w: 7", crdt.ErrVersion), ReasonMalformed},
		{crdt.ErrNonCanonical, ReasonNonCanonical},
		{crdt.ErrBadSignature, ReasonSignature},
		{crdt.ErrCIDMismatch, ReasonCID},
		{fmt.Errorf("%w: foreign genesis", crdt.ErrWrongSociety), ReasonSociety},
		{crdt.ErrBadChain, ReasonChain},
		{crdt.ErrBadClock, ReasonClock},
		{ledger.ErrNotMember, ReasonNotMember},
		{ledger.ErrRevoked, ReasonRevoked},
		{ledger.ErrNotAllowed, ReasonNotAllowed},
		{membership.ErrBadCert, ReasonNotAllowed},
		{membership.ErrBadInvite, ReasonNotAllowed},
		{ledger.ErrBadBody, ReasonBody},
		{ledger.ErrUnknownType, ReasonBody},
		{fmt.Errorf("%w: 1 of 3 records rejected, first x: %w", recsync.ErrBadPeer, crdt.ErrBadSignature), ReasonSignature},
		{fmt.Errorf("%w: expected a hello", recsync.ErrBadPeer), ReasonProtocol},
		{errors.New("disk on fire"), ReasonOther},
	}
	for _, c := range cases {
		if got := RejectReason(c.err); got != c.want {
			t.Errorf("RejectReason(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

// TestLogLimiter: a burst of logBurst lines, then one per logEvery; the
// first line after some were left out says how many.
func TestLogLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLogLimiter(func() time.Time { return now })
	steps := []struct {
		after    time.Duration
		n        int // lines asked for
		allowed  int
		reported int // suppressed count carried by the first allowed line
	}{
		{0, 1000, logBurst, 0},
		{logEvery / 2, 1, 0, 0},
		{logEvery / 2, 5, 1, 1000 - logBurst + 1},
		{10 * logEvery, 3, 3, 4},
		{time.Hour, 100, logBurst, 0},
	}
	total := 0
	for i, s := range steps {
		now = now.Add(s.after)
		allowed, reported := 0, -1
		for range s.n {
			ok, left := l.allow()
			if ok {
				if allowed == 0 {
					reported = left
				}
				allowed++
			} else {
				total++
			}
		}
		if allowed != s.allowed || allowed > 0 && reported != s.reported {
			t.Fatalf("step %d: %d of %d lines allowed (want %d), first says %d left out (want %d)", i, allowed, s.n, s.allowed, reported, s.reported)
		}
	}
	if got := l.suppressedTotal(); got != total {
		t.Fatalf("suppressedTotal %d, want %d", got, total)
	}
}

// TestRejectionsBounded: a flood of fresh peer IDs keeps at most
// trackedPeers counts by name; status lists the TopRejectingPeers worst,
// most first, and no rejection is lost from the totals.
func TestRejectionsBounded(t *testing.T) {
	var logBuf bytes.Buffer
	now := time.Unix(1_700_000_000, 0)
	o := newNetObserver(NewLogger(&logBuf, levelOf(t, "warn")), func() time.Time { return now })
	soc := crdt.CIDOf([]byte("a society"))
	worst := lpeer.ID("worst")
	for i := range 500 {
		o.rejected(viaGossip, soc, lpeer.ID(fmt.Sprintf("fresh-%03d", i)), crdt.ErrBadSignature)
		if i%10 == 0 {
			o.rejected(viaSync, soc, worst, fmt.Errorf("%w: %w", recsync.ErrBadPeer, ledger.ErrNotMember))
		}
		now = now.Add(time.Millisecond)
	}
	o.penalised(soc, worst, recsync.ErrBadPeer, 250)
	if len(o.peers) > trackedPeers {
		t.Fatalf("%d peers tracked, at most %d", len(o.peers), trackedPeers)
	}
	st := o.status()
	if st.Total != 550 || st.ByReason[ReasonSignature] != 500 || st.ByReason[ReasonNotMember] != 50 || st.Penalties != 1 {
		t.Fatalf("totals %+v", st)
	}
	if len(st.Peers) != TopRejectingPeers || st.Peers[0].ID != worst.String() || st.Peers[0].Total != 50 ||
		st.Peers[0].Penalties != 1 || st.Peers[0].ByReason[ReasonNotMember] != 50 {
		t.Fatalf("top peers %+v", st.Peers)
	}
	sum := st.OtherPeers
	for i, p := range st.Peers {
		sum += p.Total
		if i > 0 && p.Total > st.Peers[i-1].Total {
			t.Fatalf("peers not sorted: %+v", st.Peers)
		}
	}
	if sum != st.Total {
		t.Fatalf("listed %d + others %d = %d, total %d", sum-st.OtherPeers, st.OtherPeers, sum, st.Total)
	}
	// The log kept to its rate: a burst, then nothing within the second.
	logged := strings.Count(logBuf.String(), "\n")
	if logged != logBurst {
		t.Fatalf("%d log lines for 551 events within a second, want %d", logged, logBurst)
	}
	if st.LogSuppressed != 551-logBurst {
		t.Fatalf("%d lines suppressed, want %d", st.LogSuppressed, 551-logBurst)
	}
	if s := st.Summary(); s != "550 rejected (bad_signature 500, not_member 50) from 10 peer(s) and others (491 from peers not listed), 1 penalty" {
		t.Fatalf("summary %q", s)
	}
}

// TestPenaltyLogged: a penalised peer is logged at warning level with the
// reason; debug lines (syncs) appear only at debug level.
func TestPenaltyLogged(t *testing.T) {
	soc := crdt.CIDOf([]byte("a society"))
	bad := fmt.Errorf("%w: 2 of 5 records rejected, first x: %w", recsync.ErrBadPeer, crdt.ErrBadChain)
	cases := []struct {
		level      string
		want, dont []string
	}{
		{"debug", []string{"level=WARN msg=\"peer penalised\" peer=" + lpeer.ID("mallory").String() + " society=" + ShortID(soc) + " reason=bad_chain penalty=250 action=disconnected", "level=DEBUG msg=\"sync done\""}, nil},
		{"info", []string{"msg=\"peer penalised\""}, []string{"sync done"}},
		{"error", nil, []string{"peer penalised", "sync done"}},
	}
	for _, c := range cases {
		t.Run(c.level, func(t *testing.T) {
			var buf bytes.Buffer
			o := newNetObserver(NewLogger(&buf, levelOf(t, c.level)), time.Now)
			o.penalised(soc, "mallory", bad, 250)
			o.syncEnded(recsync.Progress{Peer: "bob", Society: soc, Done: true})
			for _, w := range c.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("log has no %q:\n%s", w, buf.String())
				}
			}
			for _, d := range c.dont {
				if strings.Contains(buf.String(), d) {
					t.Errorf("log at %s has %q:\n%s", c.level, d, buf.String())
				}
			}
		})
	}
}

// levelOf parses a log level, failing the test on error.
func levelOf(t *testing.T, s string) slog.Level {
	t.Helper()
	l, err := ParseLogLevel(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestParseLogLevel: the four levels, in any case; anything else is
// refused, saying what to give.
func TestParseLogLevel(t *testing.T) {
	cases := []struct {
		in   string
		want string // the level's name, or the error's text
	}{
		{"debug", "DEBUG"}, {"INFO", "INFO"}, {" warn ", "WARN"}, {"error", "ERROR"},
		{"", `"" is not a log level: give debug, info, warn or error`},
		{"loud", `"loud" is not a log level: give debug, info, warn or error`},
		{"warning", `"warning" is not a log level`},
	}
	for _, c := range cases {
		l, err := ParseLogLevel(c.in)
		got := l.String()
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("ParseLogLevel(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestCheckMetricsAddr: only loopback addresses with a port are served.
func TestCheckMetricsAddr(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{"127.0.0.1:9100", "127.0.0.1:9100", ""},
		{"127.0.0.2:0", "127.0.0.2:0", ""},
		{"[::1]:9100", "[::1]:9100", ""},
		{"localhost:9100", "127.0.0.1:9100", ""},
		{"0.0.0.0:9100", "", "is not a loopback address"},
		{":9100", "", "is not a loopback address"},
		{"[::]:9100", "", "is not a loopback address"},
		{"10.0.0.1:9100", "", "is not a loopback address"},
		{"example.org:9100", "", "is not a loopback address"},
		{"[fe80::1%eth0]:9100", "", "is not a loopback address"},
		{"127.0.0.1", "", "is not HOST:PORT"},
		{"127.0.0.1:99999", "", "the port must be a number from 0 to 65535"},
		{"127.0.0.1:http", "", "the port must be a number from 0 to 65535"},
	}
	for _, c := range cases {
		got, err := CheckMetricsAddr(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("CheckMetricsAddr(%q) = %q, %v, want %q", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !errors.Is(err, ErrMetricsAddr) || !strings.Contains(err.Error(), c.err)):
			t.Errorf("CheckMetricsAddr(%q) = %q, %v, want an error with %q", c.in, got, err, c.err)
		}
	}
}
