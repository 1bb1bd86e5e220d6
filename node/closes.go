package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// Automatic closes. A running peer closes, once per proposal, every
// proposal of its societies whose close time plus grace has passed, as
// long as a close written now can still count: the closes of every peer
// within the grace after the earliest one are unioned, so one more close
// can only add votes its device saw, never drop one (docs/architecture.md,
// Governance).

// closeRecheck is how long the close loop lets records arrive before it
// looks again for proposals to close.
const closeRecheck = time.Second

// closeRetry is how long the close loop waits, without records arriving,
// before it tries again a close the node refused to write.
const closeRetry = time.Minute

// closeDue writes this device's close of every proposal whose close time
// plus grace has passed by the node's clock, that is not final and that
// has no counted close of this device, in every society where this
// device may write. It returns how many closes it wrote and the next time
// a proposal becomes due (zero when none is waiting). A close the node
// refuses to write is tried again on the next call.
func (n *Node) closeDue() (int, time.Time, error) {
	if n.id == nil {
		return 0, time.Time{}, nil
	}
	socs, err := n.store.Societies()
	if err != nil {
		return 0, time.Time{}, err
	}
	var next uint64
	type todo struct{ soc, id cid.Cid }
	var due []todo
	for _, soc := range socs {
		err := n.store.View(soc, func(r *crdt.Reader) error {
			if membership.CanWrite(r, n.pub.Device, n.pub.Member) != nil {
				return nil // not (or no longer) an active member's device
			}
			ps, err := governance.Proposals(r, "")
			if err != nil {
				return err
			}
			now := n.nowMs()
			var counter *governance.Counter
			for _, pv := range ps {
				id, err := cid.Cast(pv.ID)
				if err != nil {
					return fmt.Errorf("%w: proposal ID", crdt.ErrCorrupt)
				}
				if n.closeSettled(soc, id) {
					continue
				}
				at := pv.Proposal.Closes + pv.Proposal.Rule.Grace()
				if now < at {
					if next == 0 || at < next {
						next = at
					}
					continue
				}
				if counter == nil {
					if counter, err = governance.NewCounter(r, now); err != nil {
						return err
					}
				}
				res, err := counter.Count(id)
				if err != nil {
					return err
				}
				mine, err := n.closedByMe(r, res)
				if err != nil {
					return err
				}
				if mine || res.Status == governance.StatusFinal {
					// Nothing more to write: a close now would not count.
					n.settleClose(soc, id)
					continue
				}
				due = append(due, todo{soc, id})
			}
			return nil
		})
		if err != nil {
			return 0, time.Time{}, err
		}
	}
	var errs []error
	wrote := 0
	write := n.closeWrite
	if write == nil {
		write = n.writeClose
	}
	for _, d := range due {
		n.mu.Lock()
		err := write(d.soc, d.id)
		n.mu.Unlock()
		if err != nil {
			// Refused (the device may not write yet, say): tried again
			// on the next pass, when records arrive or the next
			// proposal falls due.
			errs = append(errs, fmt.Errorf("node: close proposal %s: %w", d.id, err))
			continue
		}
		// Written: a close is written once per proposal and device.
		n.settleClose(d.soc, d.id)
		wrote++
	}
	var nt time.Time
	if next > 0 {
		nt = time.UnixMilli(int64(next))
	}
	return wrote, nt, errors.Join(errs...)
}

func closeKey(soc, id cid.Cid) string { return soc.KeyString() + "/" + id.KeyString() }

// closeSettled tells whether closeDue has nothing more to do for a
// proposal.
func (n *Node) closeSettled(soc, id cid.Cid) bool {
	n.closeMu.Lock()
	defer n.closeMu.Unlock()
	return n.closeDone[closeKey(soc, id)]
}

func (n *Node) settleClose(soc, id cid.Cid) {
	n.closeMu.Lock()
	defer n.closeMu.Unlock()
	if n.closeDone == nil {
		n.closeDone = map[string]bool{}
	}
	n.closeDone[closeKey(soc, id)] = true
}

// closeLoop runs closeDue until ctx ends: at once, when the next proposal
// becomes due, after records arrive (new proposals, or proposals this
// device missed while offline), and a closeRetry after a refused close.
func (n *Node) closeLoop(ctx context.Context) {
	for {
		changed := n.changes()
		_, next, err := n.closeDue() // a refused close is tried again on the next pass
		wait := time.Duration(1<<63 - 1)
		if !next.IsZero() {
			wait = max(next.Sub(n.now()), 0)
		}
		if err != nil {
			wait = min(wait, closeRetry)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-changed:
			t.Reset(closeRecheck)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}
