//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package node

import (
	"errors"
	"os"
	"syscall"
)

// peerLock is an advisory lock (flock) on the home's peer.lock file that a
// long-running peer (commons-node run, the app) holds from the moment it
// wants the store until it closes. One-shot commands leave the store to a
// peer that holds it, and tell a stuck peer from a busy store by it. The
// kernel drops the lock when its process dies, so it never goes stale.
type peerLock struct{ f *os.File }

// lockPeer takes the peer lock of a home without blocking; held is true
// when another process (or another open in this one) has it.
func lockPeer(p Paths) (l *peerLock, held bool, err error) {
	f, err := os.OpenFile(p.PeerLock(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, err
	}
	return &peerLock{f: f}, false, nil
}

// peerHolds reports whether a peer holds the peer lock of a home.
func peerHolds(p Paths) bool {
	f, err := os.Open(p.PeerLock())
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// release drops the lock.
func (l *peerLock) release() {
	if l != nil {
		l.f.Close()
	}
}
