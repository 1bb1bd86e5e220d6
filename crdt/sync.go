package crdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// RecordsAfter calls fn, in canonical (causal) order, for the records of a
// society that a peer whose version vector is theirs lacks: for every device
// this store knows, the records after theirs[device]. At most limit records
// are sent (0: no limit); it returns how many were. The vector's keys are
// raw device keys as strings, as VersionVector returns them.
func (s *Store) RecordsAfter(society cid.Cid, theirs map[string]uint64, limit int, fn func(c cid.Cid, raw []byte) error) (int, error) {
	mine, err := s.VersionVector(society)
	if err != nil {
		return 0, err
	}
	var items []item
	socb := society.Bytes()
	err = s.db.View(func(txn *badger.Txn) error {
		for dev, n := range mine {
			from := theirs[dev] + 1
			if from > n {
				continue
			}
			// The device's chain index, walked from the first seq they lack.
			p := key(pChain, socb, []byte(dev))
			it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true, PrefetchSize: 256})
			seq := from
			for it.Seek(append(p, u64(from)...)); it.Valid() && seq <= n; it.Next() {
				k := it.Item().Key()
				if len(k) != len(p)+8 || binary.BigEndian.Uint64(k[len(p):]) != seq {
					break // a seq missing or a longer key: reported below
				}
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					it.Close()
					return fmt.Errorf("crdt: chain index: %w", err)
				}
				c, err := cid.Cast(v)
				if err != nil {
					it.Close()
					return fmt.Errorf("%w: chain index: %v", ErrCorrupt, err)
				}
				items = append(items, item{c: c})
				seq++
			}
			it.Close()
			if seq <= n {
				return fmt.Errorf("crdt: chain index %d: %w", seq, badger.ErrKeyNotFound)
			}
		}
		var total uint64
		for _, n := range mine {
			total += n
		}
		if uint64(len(items))*orderWalk >= total {
			return inOrder(txn, socb, items)
		}
		// A few records: their times from their metadata, then sorted.
		for i := range items {
			if items[i].t, err = metaTime(txn, socb, items[i].c); err != nil {
				return err
			}
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].t != items[j].t {
				return items[i].t < items[j].t
			}
			return bytes.Compare(items[i].c.Bytes(), items[j].c.Bytes()) < 0
		})
		return nil
	})
	if err != nil {
		return 0, err
	}
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	// The records are read recordsPerRead to a read transaction, and fn is
	// called outside it.
	raws := make([][]byte, 0, recordsPerRead)
	for i := 0; i < len(items); i += recordsPerRead {
		part := items[i:min(i+recordsPerRead, len(items))]
		raws = raws[:0]
		err := s.db.View(func(txn *badger.Txn) error {
			for _, it := range part {
				raw, err := getRecord(txn, it.c)
				if err != nil {
					return err
				}
				raws = append(raws, raw)
			}
			return nil
		})
		for j, raw := range raws {
			if err := fn(part[j].c, raw); err != nil {
				return i + j, err
			}
		}
		if err != nil {
			return i + len(raws), err
		}
	}
	return len(items), nil
}

// item is a record RecordsAfter sends, with its time once known.
type item struct {
	t HLC
	c cid.Cid
}

// orderWalk: when the records a peer lacks are at least 1/orderWalk of
// those held, RecordsAfter walks the canonical order index (keys only)
// rather than reading each one's time and sorting.
const orderWalk = 8

// inOrder puts items in canonical order by walking the society's order
// index, keeping the keys of the items' records.
func inOrder(txn *badger.Txn, socb []byte, items []item) error {
	want := make(map[string]struct{}, len(items))
	for _, it := range items {
		want[it.c.KeyString()] = struct{}{}
	}
	p := key(pOrder, socb)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < len(items); it.Next() {
		k := it.Item().Key()
		if len(k) < len(p)+8 {
			return fmt.Errorf("%w: order index", ErrCorrupt)
		}
		if _, ok := want[string(k[len(p)+8:])]; !ok {
			continue
		}
		c, err := cid.Cast(k[len(p)+8:])
		if err != nil {
			return fmt.Errorf("%w: order index: %v", ErrCorrupt, err)
		}
		items[n] = item{HLC(binary.BigEndian.Uint64(k[len(p):])), c}
		n++
	}
	if n != len(items) {
		return fmt.Errorf("%w: %d records of the chains are not in the order index", ErrCorrupt, len(items)-n)
	}
	return nil
}

// recordsPerRead is how many records RecordsAfter reads in one read
// transaction.
const recordsPerRead = 256

// metaTime reads the time of a stored record from its metadata (see
// encodeMeta) without decoding the rest.
func metaTime(txn *badger.Txn, socb []byte, c cid.Cid) (HLC, error) {
	it, err := txn.Get(key(pMeta, socb, c.Bytes()))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, fmt.Errorf("%w: record %s has no meta", ErrCorrupt, c)
	}
	if err != nil {
		return 0, fmt.Errorf("crdt: read meta: %w", err)
	}
	var t HLC
	err = it.Value(func(v []byte) error {
		if len(v) < 17 {
			return fmt.Errorf("%w: meta", ErrCorrupt)
		}
		t = HLC(binary.BigEndian.Uint64(v[8:]))
		return nil
	})
	return t, err
}

// Verdict is what Validate decides about a record received from the
// network.
type Verdict int

// Verdicts.
const (
	// Accept: a valid record whose parents are all held (or one held already).
	Accept Verdict = iota
	// Ignore: a well-formed, signed record whose parents are not all held
	// yet; it cannot be judged until they arrive (fetch them by sync).
	Ignore
	// Reject: an invalid record.
	Reject
)

// ErrNoSociety is returned by Validate for a society this store lacks.
var ErrNoSociety = errors.New("crdt: society not held")

// Admit is a node's policy on the records of one sender, asked about each
// new record (one not held yet) before it is checked, with the store as of
// its arrival: an error refuses the record. Unlike the domain's Check, it
// may depend on what this store happens to hold (a revocation that came
// first), so it must only refuse records that no peer needs from this
// sender; see IngestAdmit and ValidateAdmit.
type Admit func(r *Reader, e *Entry) error

// ErrNotAdmitted wraps the errors of an Admit.
var ErrNotAdmitted = errors.New("crdt: record not taken from this sender")

// admitted runs admit, if any, wrapping its refusal in ErrNotAdmitted.
func admitted(admit Admit, r *Reader, e *Entry) error {
	if admit == nil {
		return nil
	}
	if err := admit(r, e); err != nil {
		return fmt.Errorf("%w: %w", ErrNotAdmitted, err)
	}
	return nil
}

// Validate judges a record received from the network without storing it:
// decoding, signature, society, causal checks and the domain's Check.
func (s *Store) Validate(society cid.Cid, raw []byte) (Verdict, cid.Cid, error) {
	return s.ValidateAdmit(society, raw, nil)
}

// ValidateAdmit is Validate with a policy on the sender's records: a new
// record admit refuses is Ignored, with the refusal (wrapping
// ErrNotAdmitted) as the error.
func (s *Store) ValidateAdmit(society cid.Cid, raw []byte, admit Admit) (Verdict, cid.Cid, error) {
	r, c, err := Decode(raw)
	if err != nil {
		return Reject, CIDOf(raw), err
	}
	if r.Society == nil {
		if !c.Equals(society) {
			return Reject, c, fmt.Errorf("%w: foreign genesis", ErrWrongSociety)
		}
		return Accept, c, nil
	}
	if !r.Society.Equals(society) {
		return Reject, c, fmt.Errorf("%w: %s", ErrWrongSociety, r.Society.Cid)
	}
	verdict := Accept
	err = s.db.View(func(txn *badger.Txn) error {
		rd := newReader(txn, society)
		if _, err := txn.Get(key(pRecord, c.Bytes())); err == nil {
			return nil // held already
		}
		e := &Entry{CID: c, Rec: r, Raw: raw}
		if err := admitted(admit, rd, e); err != nil {
			verdict = Ignore
			return err
		}
		missing, bad, err := parentMetas(e, rd.Meta)
		switch {
		case err != nil:
			return err
		case missing.Defined():
			verdict = Ignore
			return nil
		case bad != nil:
			verdict = Reject
			return bad
		}
		if _, err := s.app.Check(rd, e); err != nil {
			verdict = Reject
			return err
		}
		return nil
	})
	if err != nil && verdict != Reject {
		return Ignore, c, err
	}
	return verdict, c, err
}
