package crdt

import (
	"errors"

	"github.com/ipfs/go-cid"
)

// WalkBack visits the causal past of the records from (themselves
// included): every stored record reachable from them by prev and deps
// links, each once, in no set order, but only those whose
// time is at least minTime; a record older than minTime is neither visited
// nor followed. The result does not depend on the store's arrival order,
// only on the records. Returning ErrStop from fn ends the walk without
// error. Records not stored are skipped.
func (r *Reader) WalkBack(from []cid.Cid, minTime HLC, fn func(c cid.Cid, rec *Record) error) error {
	seen := map[string]bool{}
	var todo []cid.Cid
	push := func(c cid.Cid) error {
		if seen[c.KeyString()] {
			return nil
		}
		seen[c.KeyString()] = true
		m, ok, err := r.Meta(c)
		if err != nil || !ok || m.Time < minTime {
			return err
		}
		todo = append(todo, c)
		return nil
	}
	for _, c := range from {
		if err := push(c); err != nil {
			return err
		}
	}
	for len(todo) > 0 {
		it := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		rec, err := r.Record(it)
		if err != nil {
			return err
		}
		if err := fn(it, rec); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		if rec.Prev != nil {
			if err := push(rec.Prev.Cid); err != nil {
				return err
			}
		}
		for _, d := range rec.Deps {
			if err := push(d.Cid); err != nil {
				return err
			}
		}
	}
	return nil
}
