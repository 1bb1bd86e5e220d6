package crdt

import (
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// Rebuild recomputes a society's views from its log: it clears them and
// folds every stored record in canonical order. The store runs it when a
// fork, revocation or removal changes which records take effect; a marker
// makes a rebuild cut short by a crash finish at the next Open.
func (s *Store) Rebuild(society cid.Cid) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rebuildLocked(society)
}

func (s *Store) rebuildLocked(society cid.Cid) error {
	socb := society.Bytes()
	marker := key(pRebuild, socb)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(marker, nil) }); err != nil {
		return fmt.Errorf("crdt: rebuild: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("crdt: rebuild: %w", err)
	}
	if err := s.clearViews(socb); err != nil {
		return err
	}
	b := s.newBatch(society)
	defer b.discard()
	if err := b.load(); err != nil {
		return err
	}
	b.hash = ltHash{}
	forks, err := s.Forks(society)
	if err != nil {
		return err
	}
	for _, fp := range forks {
		if err := b.views.Put(forkViewK+string(fp.Author), u64(fp.Seq)); err != nil {
			return err
		}
	}
	for pass := 1; pass <= 2; pass++ {
		err := s.foldAll(b, society, func(e *Entry, m Meta) error {
			if pass == 1 {
				return s.app.Exclude(b.views, e, m)
			}
			_, err := s.app.Apply(b.views, e, m)
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := b.txn.Delete(marker); err != nil {
		return fmt.Errorf("crdt: rebuild: %w", err)
	}
	if err := b.commit(); err != nil {
		return err
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("crdt: rebuild: %w", err)
	}
	return nil
}

// clearViews deletes every view key of a society, in bounded transactions.
func (s *Store) clearViews(socb []byte) error {
	p := key(pView, socb)
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < 5000; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("crdt: clear views: %w", err)
		}
		if len(keys) == 0 {
			return nil
		}
		wb := s.db.NewWriteBatch()
		for _, k := range keys {
			if err := wb.Delete(k); err != nil {
				wb.Cancel()
				return fmt.Errorf("crdt: clear views: %w", err)
			}
		}
		if err := wb.Flush(); err != nil {
			return fmt.Errorf("crdt: clear views: %w", err)
		}
	}
}

// foldAll calls fn for every stored record of a society in canonical order,
// committing the batch whenever it grows large (each commit writes the
// running hash and count, which the next transaction reads back).
func (s *Store) foldAll(b *batch, society cid.Cid, fn func(e *Entry, m Meta) error) error {
	return s.db.View(func(rtxn *badger.Txn) error {
		rd := newReader(rtxn, society)
		return eachRecord(rtxn, society.Bytes(), func(c cid.Cid, raw []byte) error {
			rec, err := decodeUnverified(raw)
			if err != nil {
				return fmt.Errorf("%w: stored record %s: %v", ErrCorrupt, c, err)
			}
			m, ok, err := rd.Meta(c)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: record %s has no meta", ErrCorrupt, c)
			}
			if err := fn(&Entry{CID: c, Rec: rec, Raw: raw}, m); err != nil {
				return fmt.Errorf("crdt: rebuild %s: %w", c, err)
			}
			return b.maybeFlush()
		})
	})
}
