package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/all"
)

// DefaultLockWait is how long Open waits for the store of a home while
// another process holds it: long enough for a one-shot command (status,
// balance...) to finish, short enough that a stuck process is reported
// soon.
const DefaultLockWait = 5 * time.Second

var (
	// ErrStoreBusy means another command held the home's store for the
	// whole of the wait, and no peer serves the home: it is most likely a
	// long command (an import, say) still running.
	ErrStoreBusy = errors.New("node: another command is using this home; try again when it has finished")
	// ErrPeerHung means a process holds the home's store and the home has
	// a control socket, but nothing answers on it: a peer that is stuck or
	// still starting.
	ErrPeerHung = errors.New("node: a Commons peer holds this home but does not answer on its control socket")
)

// Lock-wait backoff: the first retry comes after lockFirstDelay, each next
// one after twice as long, up to lockMaxDelay.
const (
	lockFirstDelay = 10 * time.Millisecond
	lockMaxDelay   = 250 * time.Millisecond
)

// openStore opens the store of a home. While another process holds it,
// it retries with backoff for up to opt.LockWait (DefaultLockWait when
// zero; no retry when negative), calling opt.OnWait (if set) before the
// first retry. It gives up at once with ErrBusy when a peer answers on
// the home's control socket, since a running peer keeps the store; at the
// end of the wait it returns ErrPeerHung or ErrStoreBusy, with the cause
// as detail.
//
// A peer (opt.Peer) first takes the home's peer lock, which it keeps
// until Close (the returned peerLock); a one-shot command does not touch
// the store while a peer holds that lock, so that a loop of commands
// cannot starve a peer that starts.
func openStore(p Paths, opt Options) (*crdt.Store, *peerLock, error) {
	wait := opt.LockWait
	if wait == 0 {
		wait = DefaultLockWait
	}
	deadline := time.Now().Add(wait)
	delay := lockFirstDelay
	var pl *peerLock
	cause := errors.New("another peer holds " + p.PeerLock())
	for {
		peerWaits := false
		if opt.Peer && pl == nil {
			l, held, err := lockPeer(p)
			if err != nil {
				return nil, nil, fmt.Errorf("node: lock %s: %w", p.PeerLock(), err)
			}
			pl, peerWaits = l, held
		} else if !opt.Peer {
			peerWaits = peerHolds(p)
		}
		if !peerWaits {
			st, err := crdt.Open(crdt.Config{Dir: p.Store(), Profile: opt.StoreProfile}, all.New())
			if err == nil {
				return st, pl, nil
			}
			if !storeLocked(err) {
				pl.release()
				return nil, nil, err
			}
			cause = err
		}
		if _, err := Dial(p); err == nil {
			pl.release()
			return nil, nil, ErrBusy
		}
		left := time.Until(deadline)
		if left <= 0 {
			// A peer that cannot take the peer lock, or a command
			// that sees it taken, is kept out by another peer.
			hung := (opt.Peer && pl == nil) || (!opt.Peer && peerHolds(p))
			pl.release()
			return nil, nil, lockedError(p, hung, cause)
		}
		if opt.OnWait != nil {
			opt.OnWait()
			opt.OnWait = nil
		}
		t := time.NewTimer(min(delay, left))
		<-t.C
		delay = min(2*delay, lockMaxDelay)
	}
}

// storeLocked reports whether err is Badger's refusal to open a directory
// another process has locked. Badger gives no sentinel error for it, only
// this text.
func storeLocked(err error) bool {
	return strings.Contains(err.Error(), "Cannot acquire directory lock")
}

// lockedError tells a stuck peer (one that holds the peer lock but does
// not answer on the control socket) from another command using the store.
func lockedError(p Paths, hung bool, cause error) error {
	who := "another process"
	if b, err := os.ReadFile(filepath.Join(p.Store(), "LOCK")); err == nil {
		if pid := strings.TrimSpace(string(b)); pid != "" {
			who = "process " + pid
		}
	}
	if hung {
		return &DetailError{
			Err:    fmt.Errorf("%w (%s holds %s): stop it if it is stuck, or wait until it answers", ErrPeerHung, who, p.Home),
			Detail: cause,
		}
	}
	return &DetailError{Err: fmt.Errorf("%w (%s holds %s)", ErrStoreBusy, who, p.Home), Detail: cause}
}

// socketExists reports whether the home has a control socket file.
func socketExists(p Paths) bool {
	_, err := os.Stat(p.Socket())
	return err == nil
}
