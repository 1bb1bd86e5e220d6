package crdt

import "github.com/ipfs/go-cid"

// pendingSet parks records whose parents have not arrived, bounded by count
// and bytes; the oldest are evicted first (sync fetches them again later).
type pendingSet struct {
	maxN, maxB   int
	count, bytes int
	items        map[cid.Cid]*pend
	waiting      map[cid.Cid][]*pend
	order        []*pend
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
