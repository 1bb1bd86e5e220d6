package crdt

import (
	"bytes"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// Mark is where one store's copy of a society stood when a Reader read it:
// the state hash, the number of records and forked devices, and the newest
// record in canonical order. Queries that cache what they computed keep
// the Mark they computed it at, and ask Since what was stored after it.
type Mark struct {
	store   *Store // nil when the mark cannot be followed (see Reader.Mark)
	soc     string
	Hash    StateHash
	Records uint64
	Forks   uint64
	last    []byte // the newest canonical-order key, without its prefix
}

// Valid reports whether the mark can be followed with Since.
func (m Mark) Valid() bool { return m.store != nil }

// Mark returns where the reader's society stands. The mark is not valid
// (Since always answers false) for a reader inside a write or a rebuild, or
// while a rebuild of the views is under way.
func (r *Reader) Mark() (Mark, error) {
	h, n, forks, err := readHashEntry(r.txn, r.socb)
	if err != nil {
		return Mark{}, err
	}
	m := Mark{soc: string(r.socb), Hash: h.sum(), Records: n, Forks: forks}
	if r.s == nil {
		return m, nil
	}
	switch _, err := r.txn.Get(key(pRebuild, r.socb)); {
	case err == nil:
		return m, nil
	case !errors.Is(err, badger.ErrKeyNotFound):
		return Mark{}, fmt.Errorf("crdt: read rebuild marker: %w", err)
	}
	p := key(pOrder, r.socb)
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, Reverse: true})
	defer it.Close()
	it.Seek(append(bytes.Clone(p), bytes.Repeat([]byte{0xff}, 80)...))
	if it.ValidForPrefix(p) {
		m.last = it.Item().KeyCopy(nil)[len(p):]
	}
	m.store = r.s
	return m, nil
}

// Since calls fn, oldest first in canonical order, for every record of the
// society stored after m was taken, and returns the reader's own mark and
// whether it could list them: false
// (without calling fn) when m or the reader's own mark is not valid, when
// m was taken in another store, of another society or at a later state, or when a record older
// than m's newest arrived since; then the caller must read everything
// again. The views are a function of the set of records, so when Since
// answers true the records it listed are everything that changed them
// (a change of the exclusions shows as a change of Forks or as the
// records that made it).
func (r *Reader) Since(m Mark, fn func(c cid.Cid, meta Meta) error) (Mark, bool, error) {
	cur, err := r.Mark()
	if err != nil || !m.Valid() || cur.store != m.store || cur.soc != m.soc || cur.Records < m.Records {
		return cur, false, err
	}
	want := cur.Records - m.Records
	if want == 0 {
		return cur, cur.Hash == m.Hash, nil
	}
	p := key(pOrder, r.socb)
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, Reverse: true})
	var newer [][]byte
	it.Seek(append(bytes.Clone(p), bytes.Repeat([]byte{0xff}, 80)...))
	for ; it.ValidForPrefix(p) && uint64(len(newer)) <= want; it.Next() {
		k := it.Item().KeyCopy(nil)[len(p):]
		if bytes.Compare(k, m.last) <= 0 {
			break
		}
		newer = append(newer, k)
	}
	it.Close()
	if uint64(len(newer)) != want {
		return cur, false, nil
	}
	for i := len(newer) - 1; i >= 0; i-- {
		c, err := cid.Cast(newer[i][8:])
		if err != nil {
			return cur, false, fmt.Errorf("%w: order key: %v", ErrCorrupt, err)
		}
		meta, ok, err := r.Meta(c)
		if err != nil {
			return cur, false, err
		}
		if !ok {
			return cur, false, fmt.Errorf("%w: no meta for %s", ErrCorrupt, c)
		}
		if err := fn(c, meta); err != nil {
			return cur, false, err
		}
	}
	return cur, true, nil
}
