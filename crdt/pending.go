package crdt

import (
	"encoding/binary"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// pendingSet parks records whose parents have not arrived, bounded by count
// and bytes; the oldest are evicted first (sync fetches them again later).
// Its changes are logged in ops, which Ingest writes to the store with the
// records it stores (pPending), so that parked records outlive the process:
// Open parks them again.
type pendingSet struct {
	maxN, maxB   int
	count, bytes int
	items        map[cid.Cid]*pend
	waiting      map[cid.Cid][]*pend
	order        []*pend
	ops          []pendOp
}

// pendOp is a change of the parked records still to write to the store.
type pendOp struct {
	x   *pend
	del bool
}

type pend struct {
	soc     cid.Cid
	e       *Entry
	missing cid.Cid
	dead    bool
}

func newPendingSet(maxN, maxB int) *pendingSet {
	if maxN <= 0 {
		maxN = 10000
	}
	if maxB <= 0 {
		maxB = 32 << 20
	}
	return &pendingSet{maxN: maxN, maxB: maxB, items: map[cid.Cid]*pend{}, waiting: map[cid.Cid][]*pend{}}
}

// add parks e until missing arrives; it reports whether e is newly parked.
func (p *pendingSet) add(soc cid.Cid, e *Entry, missing cid.Cid) bool {
	if old, ok := p.items[e.CID]; ok {
		if old.missing.Equals(missing) {
			return false
		}
		p.remove(old)
	}
	x := &pend{soc: soc, e: e, missing: missing}
	p.items[e.CID] = x
	p.waiting[missing] = append(p.waiting[missing], x)
	p.order = append(p.order, x)
	p.ops = append(p.ops, pendOp{x: x})
	p.count++
	p.bytes += len(e.Raw)
	for p.count > p.maxN || p.bytes > p.maxB {
		old := p.order[0]
		p.order = p.order[1:]
		if !old.dead {
			p.remove(old)
		}
	}
	if len(p.order) > 2*p.count+64 { // compact dead entries
		live := p.order[:0]
		for _, x := range p.order {
			if !x.dead {
				live = append(live, x)
			}
		}
		p.order = live
	}
	return true
}

func (p *pendingSet) remove(x *pend) {
	x.dead = true
	p.ops = append(p.ops, pendOp{x: x, del: true})
	delete(p.items, x.e.CID)
	p.count--
	p.bytes -= len(x.e.Raw)
	ws := p.waiting[x.missing]
	for i, w := range ws {
		if w == x {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(p.waiting, x.missing)
	} else {
		p.waiting[x.missing] = ws
	}
}

// drop forgets a record that was stored or rejected.
func (p *pendingSet) drop(c cid.Cid) {
	if x, ok := p.items[c]; ok {
		p.remove(x)
	}
}

// release unparks the records of a society that waited for c.
func (p *pendingSet) release(soc cid.Cid, c cid.Cid) []*Entry {
	ws := p.waiting[c]
	var out []*Entry
	for _, x := range append([]*pend{}, ws...) {
		if x.soc.Equals(soc) {
			p.remove(x)
			out = append(out, x.e)
		}
	}
	return out
}

// missing lists CIDs that parked records of a society wait for.
func (p *pendingSet) missing(soc cid.Cid, max int) []cid.Cid {
	var out []cid.Cid
	for c, ws := range p.waiting {
		if len(out) >= max {
			break
		}
		for _, w := range ws {
			if w.soc.Equals(soc) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// save writes the logged changes of the parked records into b and clears
// the log.
func (p *pendingSet) save(b *batch) error {
	defer func() { p.ops = p.ops[:0] }()
	for _, op := range p.ops {
		k := key(pPending, op.x.e.CID.Bytes())
		var err error
		if op.del {
			err = b.del(k)
		} else {
			soc := op.x.soc.Bytes()
			v := binary.AppendUvarint(make([]byte, 0, len(soc)+len(op.x.e.Raw)+2), uint64(len(soc)))
			err = b.set(k, append(append(v, soc...), op.x.e.Raw...))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parkedRecord is a parked record as kept in the store.
type parkedRecord struct {
	key []byte
	soc cid.Cid
	raw []byte
}

// loadParked reads the records parked when the store was last open.
func loadParked(db *badger.DB) ([]parkedRecord, error) {
	var out []parkedRecord
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pPending}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			n, k := binary.Uvarint(v)
			if k <= 0 || n > uint64(len(v)-k) {
				return fmt.Errorf("%w: parked record entry", ErrCorrupt)
			}
			soc, err := cid.Cast(v[k : k+int(n)])
			if err != nil {
				return fmt.Errorf("%w: parked record society: %v", ErrCorrupt, err)
			}
			out = append(out, parkedRecord{key: it.Item().KeyCopy(nil), soc: soc, raw: v[k+int(n):]})
		}
		return nil
	})
	return out, err
}

// restorePending parks again the records parked when the store was last
// open: each society's are ingested anew, which parks those still waiting
// and stores those whose parents have come; the entries of records not
// parked any more are deleted.
func (s *Store) restorePending() error {
	parked, err := loadParked(s.db)
	if err != nil || len(parked) == 0 {
		return err
	}
	bySoc := map[cid.Cid][][]byte{}
	var socs []cid.Cid
	for _, pr := range parked {
		if bySoc[pr.soc] == nil {
			socs = append(socs, pr.soc)
		}
		bySoc[pr.soc] = append(bySoc[pr.soc], pr.raw)
	}
	for _, soc := range socs {
		if _, err := s.Ingest(soc, bySoc[soc]); err != nil {
			return fmt.Errorf("crdt: restore parked records: %w", err)
		}
	}
	return s.db.Update(func(txn *badger.Txn) error {
		for _, pr := range parked {
			if _, ok := s.pending.items[CIDOf(pr.raw)]; !ok {
				if err := txn.Delete(pr.key); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
