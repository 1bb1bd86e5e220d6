package crdt

import (
	"bytes"
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
	type item struct {
		t HLC
		c cid.Cid
	}
	var items []item
	socb := society.Bytes()
	err = s.db.View(func(txn *badger.Txn) error {
		rd := newReader(txn, society)
		for dev, n := range mine {
			for seq := theirs[dev] + 1; seq <= n; seq++ {
				it, err := txn.Get(key(pChain, socb, []byte(dev), u64(seq)))
				if err != nil {
					return fmt.Errorf("crdt: chain index %d: %w", seq, err)
				}
				v, err := it.ValueCopy(nil)
				if err != nil {
					return fmt.Errorf("crdt: chain index: %w", err)
				}
				c, err := cid.Cast(v)
				if err != nil {
					return fmt.Errorf("%w: chain index: %v", ErrCorrupt, err)
				}
				m, ok, err := rd.Meta(c)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("%w: record %s has no meta", ErrCorrupt, c)
				}
				items = append(items, item{m.Time, c})
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].t != items[j].t {
			return items[i].t < items[j].t
		}
		return bytes.Compare(items[i].c.Bytes(), items[j].c.Bytes()) < 0
	})
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	for i, it := range items {
		raw, err := s.Record(it.c)
		if err != nil {
			return i, err
		}
		if err := fn(it.c, raw); err != nil {
			return i, err
		}
	}
	return len(items), nil
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
