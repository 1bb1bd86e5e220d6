package crdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/skl"
	"github.com/ipfs/go-cid"
)

// flushBytes is when a batch is committed and a new one started, at most:
// it stays far below Badger's transaction limit (15% of the desktop's 16
// MiB memtable) even with a maximal record in flight. A store with
// smaller memtables (the phone profile) flushes sooner (flushLimits).
const flushBytes = 1 << 20

// flushLimits returns when a batch of a store with memtables of memTable
// bytes is committed: at half of Badger's transaction limits (15% of the
// memtable, and as many entries as skiplist nodes of that size), and at
// most at flushBytes, so that a maximal record in flight still fits.
func flushLimits(memTable int64) (size, entries int) {
	limit := 15 * memTable / 100
	return int(min(flushBytes, limit/2)), int(limit / int64(skl.MaxNodeSize) / 2)
}

// batch is one Badger write transaction over one society, with the running
// state hash and record count.
type batch struct {
	s       *Store
	soc     cid.Cid
	socb    []byte
	txn     *badger.Txn
	reader  *Reader
	views   *Views
	hash    ltHash
	count   uint64
	size    int
	entries int
	rebuild bool
	loaded  bool
	// metas caches the metadata written in this transaction: a record's
	// parents are often the records just before it.
	metas map[cid.Cid]Meta
	// stored lists the records stored in this transaction, whose metadata
	// goes to the store's cache once committed.
	stored []cid.Cid
	// heads holds the new chain heads of this transaction, written at
	// commit: one write per device instead of one per record.
	heads map[string][]byte
	// viewCache holds view values read or written through this batch.
	viewCache map[string]viewVal
	// changed holds each view key changed in this transaction, from its
	// value before the first change to its value now; commit folds the
	// changes into hash (foldHash).
	changed map[string]viewChange
	// forks counts the devices with a fork proof (kept with the hash).
	forks uint64
}

func (s *Store) newBatch(soc cid.Cid) *batch {
	b := &batch{s: s, soc: soc, socb: soc.Bytes(), metas: make(map[cid.Cid]Meta, 1024), viewCache: make(map[string]viewVal, 1024)}
	b.begin()
	return b
}

// viewVal caches a view read or written in this batch (ok false: absent).
type viewVal struct {
	v  []byte
	ok bool
}

// maxCache bounds the batch's read caches; they are dropped when full.
const maxCache = 1 << 16

func (b *batch) begin() {
	b.txn = b.s.db.NewTransaction(true)
	b.reader = newReader(b.txn, b.soc)
	b.reader.b = b
	b.views = &Views{Reader: b.reader, b: b}
	b.size, b.entries = 0, 0
	b.loaded = false
	b.heads = make(map[string][]byte)
	b.changed = make(map[string]viewChange)
	// The caches stay valid across commits of one batch: every write of the
	// batch goes through it.
	if len(b.metas) > maxCache {
		b.metas = make(map[cid.Cid]Meta, 1024)
	}
	if len(b.viewCache) > maxCache {
		b.viewCache = make(map[string]viewVal, 1024)
	}
}

// meta returns a stored record's metadata, from the caches when it can:
// the batch's, then the store's of committed records (a record's deps are
// often older than the batch).
func (b *batch) meta(c cid.Cid) (Meta, bool, error) {
	if m, ok := b.metas[c]; ok {
		return m, true, nil
	}
	if m, ok := b.s.metas[metaKey{b.soc, c}]; ok {
		return m, true, nil
	}
	m, ok, err := b.reader.Meta(c)
	if ok && err == nil {
		b.s.keepMeta(b.soc, c, m)
	}
	return m, ok, err
}

// metaKey names a record's metadata in a society.
type metaKey struct{ soc, c cid.Cid }

// maxMetas bounds the store's cache of committed metadata.
const maxMetas = 8192

// keepMeta caches the metadata of a committed record (or one read from
// the store); the cache starts over when full. A record's metadata never
// changes once stored. The caller holds s.mu.
func (s *Store) keepMeta(soc, c cid.Cid, m Meta) {
	if len(s.metas) >= maxMetas {
		clear(s.metas)
	}
	s.metas[metaKey{soc, c}] = m
}

func (b *batch) discard() { b.txn.Discard() }

// load reads the hash and count lazily, once per transaction.
func (b *batch) load() error {
	if b.loaded {
		return nil
	}
	h, n, f, err := readHashEntry(b.txn, b.socb)
	if err != nil {
		return err
	}
	b.hash, b.count, b.forks, b.loaded = h, n, f, true
	return nil
}

func (b *batch) set(k, v []byte) error {
	b.size += len(k) + len(v) + 16
	b.entries++
	if err := b.txn.Set(k, v); err != nil {
		return fmt.Errorf("crdt: write: %w", err)
	}
	return nil
}

func (b *batch) del(k []byte) error {
	b.size += len(k) + 16
	b.entries++
	if err := b.txn.Delete(k); err != nil {
		return fmt.Errorf("crdt: delete: %w", err)
	}
	return nil
}

func (b *batch) has(k []byte) (bool, error) {
	_, err := b.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("crdt: read: %w", err)
	}
	return true, nil
}

func (b *batch) commit() error {
	b.foldHash()
	for a, v := range b.heads {
		if err := b.txn.Set(key(pVector, b.socb, []byte(a)), v); err != nil {
			return fmt.Errorf("crdt: write head: %w", err)
		}
	}
	if b.loaded {
		v := hashEntry(&b.hash, b.count, b.forks)
		if err := b.txn.Set(key(pHash, b.socb), v); err != nil {
			return fmt.Errorf("crdt: write state hash: %w", err)
		}
	}
	if b.rebuild {
		// Mark the rebuild due in the same transaction as its cause, so that
		// a crash before it runs makes the next Open run it.
		if err := b.txn.Set(key(pRebuild, b.socb), nil); err != nil {
			return fmt.Errorf("crdt: write rebuild marker: %w", err)
		}
	}
	if err := b.txn.Commit(); err != nil {
		return fmt.Errorf("crdt: commit: %w", err)
	}
	for _, c := range b.stored {
		b.s.keepMeta(b.soc, c, b.metas[c])
	}
	b.stored = b.stored[:0]
	return nil
}

func (b *batch) maybeFlush() error {
	if b.size < b.s.flushSize && b.entries < b.s.flushEntries {
		return nil
	}
	if err := b.commit(); err != nil {
		return err
	}
	b.begin()
	return nil
}

// store writes a validated record, its metadata and indexes, and notes a
// fork when the record's seq is already held: heads only grow, so of two
// records with the same (author, seq), the later to arrive always finds
// its seq at or below the head.
func (b *batch) store(e *Entry, m Meta, head Head, res *Result) error {
	if err := b.load(); err != nil {
		return err
	}
	r := e.Rec
	cb := e.CID.Bytes()
	if err := b.set(key(pRecord, cb), e.Raw); err != nil {
		return err
	}
	if err := b.set(key(pMeta, b.socb, cb), encodeMeta(m)); err != nil {
		return err
	}
	b.metas[e.CID] = m
	b.stored = append(b.stored, e.CID)
	if r.Seq <= head.Seq {
		other, err := b.atSeq(head.CID, r.Seq)
		if err != nil {
			return err
		}
		if err := b.noteFork(r.Author, r.Seq, other, e.CID); err != nil {
			return err
		}
		res.Forks++
		b.rebuild = true
	}
	if err := b.set(key(pOrder, b.socb, u64(uint64(r.Time)), cb), nil); err != nil {
		return err
	}
	if r.Seq > head.Seq {
		if err := b.set(key(pChain, b.socb, r.Author, u64(r.Seq)), cb); err != nil {
			return err
		}
		if _, ok := b.heads[string(r.Author)]; !ok {
			b.size += 64 + len(b.socb)
		}
		b.heads[string(r.Author)] = append(append(u64(r.Seq), u64(uint64(r.Time))...), cb...)
	}
	if r.Society == nil {
		if err := b.set(key(pSociety, cb), nil); err != nil {
			return err
		}
	}
	b.count++
	return nil
}

// atSeq walks a chain back from a record to the record with the given seq.
func (b *batch) atSeq(from cid.Cid, seq uint64) (cid.Cid, error) {
	c := from
	for {
		m, ok, err := b.meta(c)
		if err != nil {
			return cid.Undef, err
		}
		if !ok {
			return cid.Undef, fmt.Errorf("%w: chain record %s has no meta", ErrCorrupt, c)
		}
		if m.Seq == seq {
			return c, nil
		}
		if m.Seq < seq {
			return cid.Undef, fmt.Errorf("%w: chain skips seq %d", ErrCorrupt, seq)
		}
		rec, err := b.reader.Record(c)
		if err != nil {
			return cid.Undef, err
		}
		if rec.Prev == nil {
			return cid.Undef, fmt.Errorf("%w: chain ends before seq %d", ErrCorrupt, seq)
		}
		c = rec.Prev.Cid
	}
}

// ForkProof is the evidence of an equivocation: two records signed by the
// same device with the same seq.
type ForkProof struct {
	Author []byte `cbor:"a" json:"author"`
	Seq    uint64 `cbor:"n" json:"seq"`
	A      Link   `cbor:"x" json:"a"`
	B      Link   `cbor:"y" json:"b"`
}

// noteFork keeps the lowest-seq fork proof of a device and records the fork
// in the views, so every peer holding both records flags the same device
// from the same seq on.
func (b *batch) noteFork(author []byte, seq uint64, x, y cid.Cid) error {
	k := key(pFork, b.socb, author)
	it, err := b.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		b.forks++
	}
	if err == nil {
		var old ForkProof
		v, verr := it.ValueCopy(nil)
		if verr == nil && Unmarshal(v, &old) == nil && old.Seq <= seq {
			return nil
		}
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("crdt: read fork proof: %w", err)
	}
	if bytes.Compare(x.Bytes(), y.Bytes()) > 0 {
		x, y = y, x
	}
	v, err := Marshal(&ForkProof{Author: author, Seq: seq, A: Link{x}, B: Link{y}})
	if err != nil {
		return err
	}
	if err := b.set(k, v); err != nil {
		return err
	}
	return b.views.Put(forkViewK+string(author), u64(seq))
}

// Forks returns the fork proofs held for a society.
func (s *Store) Forks(society cid.Cid) ([]ForkProof, error) {
	var out []ForkProof
	p := key(pFork, society.Bytes())
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("crdt: read fork proof: %w", err)
			}
			var fp ForkProof
			if err := Unmarshal(v, &fp); err != nil {
				return fmt.Errorf("%w: fork proof: %v", ErrCorrupt, err)
			}
			out = append(out, fp)
		}
		return nil
	})
	return out, err
}

func encodeMeta(m Meta) []byte {
	b := make([]byte, 0, 24+len(m.Type)+len(m.Author)+len(m.Member)+len(m.Subject)+4)
	b = append(b, u64(m.Seq)...)
	b = append(b, u64(uint64(m.Time))...)
	b = append(b, m.Flags)
	for _, f := range [][]byte{[]byte(m.Type), m.Author, m.Member, m.Subject} {
		b = append(b, byte(len(f)))
		b = append(b, f...)
	}
	return b
}

func decodeMeta(b []byte) (Meta, error) {
	var m Meta
	if len(b) < 17 {
		return m, fmt.Errorf("%w: meta", ErrCorrupt)
	}
	m.Seq = binary.BigEndian.Uint64(b)
	m.Time = HLC(binary.BigEndian.Uint64(b[8:]))
	m.Flags = b[16]
	b = b[17:]
	var fields [4][]byte
	for i := range fields {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return m, fmt.Errorf("%w: meta", ErrCorrupt)
		}
		n := int(b[0])
		fields[i] = b[1 : 1+n : 1+n]
		b = b[1+n:]
	}
	m.Type, m.Author, m.Member, m.Subject = string(fields[0]), fields[1], fields[2], fields[3]
	if len(m.Member) == 0 {
		m.Member = nil
	}
	if len(m.Subject) == 0 {
		m.Subject = nil
	}
	return m, nil
}

// Reader reads one society's records, metadata and views inside a
// transaction.
type Reader struct {
	txn  *badger.Txn
	soc  cid.Cid
	socb []byte
	b    *batch // the writing batch, when reading inside one
	s    *Store // the store, for a read-only view (see Mark)
}

func newReader(txn *badger.Txn, soc cid.Cid) *Reader {
	return &Reader{txn: txn, soc: soc, socb: soc.Bytes()}
}

// Society returns the society ID.
func (r *Reader) Society() cid.Cid { return r.soc }

// Meta returns the metadata of a stored record of this society.
func (r *Reader) Meta(c cid.Cid) (Meta, bool, error) {
	it, err := r.txn.Get(key(pMeta, r.socb, c.Bytes()))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Meta{}, false, nil
	}
	if err != nil {
		return Meta{}, false, fmt.Errorf("crdt: read meta: %w", err)
	}
	var m Meta
	err = it.Value(func(v []byte) error {
		var derr error
		m, derr = decodeMeta(append([]byte{}, v...))
		return derr
	})
	return m, err == nil, err
}

// Record returns a stored record of this society, decoded, after checking
// its bytes against its CID. Its signature was checked when it was stored.
func (r *Reader) Record(c cid.Cid) (*Record, error) {
	raw, err := getRecord(r.txn, c)
	if err != nil {
		return nil, err
	}
	rec, err := decodeUnverified(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: stored record %s: %v", ErrCorrupt, c, err)
	}
	return rec, nil
}

// Head returns a device's newest record (Seq 0 when it has none).
func (r *Reader) Head(author []byte) (Head, error) {
	if r.b != nil {
		if v, ok := r.b.heads[string(author)]; ok {
			return decodeHead(v)
		}
	}
	it, err := r.txn.Get(key(pVector, r.socb, author))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("crdt: read head: %w", err)
	}
	v, err := it.ValueCopy(nil)
	if err != nil {
		return Head{}, fmt.Errorf("crdt: read head: %w", err)
	}
	return decodeHead(v)
}

func decodeHead(v []byte) (Head, error) {
	if len(v) < 17 {
		return Head{}, fmt.Errorf("%w: head entry", ErrCorrupt)
	}
	c, err := cid.Cast(v[16:])
	if err != nil {
		return Head{}, fmt.Errorf("%w: head entry: %v", ErrCorrupt, err)
	}
	return Head{Seq: binary.BigEndian.Uint64(v), Time: HLC(binary.BigEndian.Uint64(v[8:])), CID: c}, nil
}

// View returns the value of a view key.
func (r *Reader) View(k string) ([]byte, bool, error) {
	if r.b != nil {
		if c, ok := r.b.viewCache[k]; ok {
			return c.v, c.ok, nil
		}
		v, ok, err := r.view(k)
		if err == nil {
			r.b.viewCache[k] = viewVal{v, ok}
		}
		return v, ok, err
	}
	return r.view(k)
}

func (r *Reader) view(k string) ([]byte, bool, error) {
	it, err := r.txn.Get(key(pView, r.socb, []byte(k)))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("crdt: read view: %w", err)
	}
	v, err := it.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("crdt: read view: %w", err)
	}
	return v, true, nil
}

// Scan calls fn for each view key with the prefix, in key order. Returning
// ErrStop from fn ends the scan without error.
func (r *Reader) Scan(prefix string, fn func(k string, v []byte) error) error {
	p := key(pView, r.socb, []byte(prefix))
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer it.Close()
	strip := len(p) - len(prefix)
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("crdt: scan views: %w", err)
		}
		if err := fn(string(it.Item().KeyCopy(nil)[strip:]), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// ScanValues calls fn with the value of each view key with the prefix, in
// key order, as Scan does without copying the keys (for queries reading
// thousands of views). Returning ErrStop from fn ends the scan without
// error.
func (r *Reader) ScanValues(prefix string, fn func(v []byte) error) error {
	p := key(pView, r.socb, []byte(prefix))
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("crdt: scan views: %w", err)
		}
		if err := fn(v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// ScanBack calls fn for each view key with the prefix that sorts before
// prefix+before (every key when before is empty), in descending key order.
// Returning ErrStop from fn ends the scan without error.
func (r *Reader) ScanBack(prefix, before string, fn func(k string, v []byte) error) error {
	p := key(pView, r.socb, []byte(prefix))
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true, PrefetchSize: 64, Reverse: true})
	defer it.Close()
	strip := len(p) - len(prefix)
	seek := append(bytes.Clone(p), before...)
	if before == "" {
		seek = append(seek, bytes.Repeat([]byte{0xff}, 64)...)
	}
	for it.Seek(seek); it.ValidForPrefix(p); it.Next() {
		k := it.Item().KeyCopy(nil)
		if before != "" && bytes.Equal(k, seek) {
			continue
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("crdt: scan views: %w", err)
		}
		if err := fn(string(k[strip:]), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// ErrStop ends a Scan early.
var ErrStop = errors.New("stop")

// AnyForks reports whether the society has any forked device; it is only
// known inside a write (Views), and true when unknown.
func (r *Reader) AnyForks() bool {
	if r.b == nil || !r.b.loaded {
		return true
	}
	return r.b.forks > 0
}

// ForkSeq returns the seq from which a device is known to have forked.
func (r *Reader) ForkSeq(author []byte) (uint64, bool, error) {
	v, ok, err := r.View(forkViewK + string(author))
	if err != nil || !ok {
		return 0, false, err
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("%w: fork view", ErrCorrupt)
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// Views is the writable side of the derived views, used by Applier.Apply.
// Every change updates the society's state hash in the same transaction.
type Views struct {
	*Reader
	b *batch
}

// Put sets a view key.
func (v *Views) Put(k string, val []byte) error {
	old, ok, err := v.View(k)
	if err != nil {
		return err
	}
	return v.Replace(k, old, ok, val)
}

// Replace sets a view key whose current value the caller has just read
// (old, or none when had is false), saving a read.
func (v *Views) Replace(k string, old []byte, had bool, val []byte) error {
	if err := v.b.load(); err != nil {
		return err
	}
	if had && bytes.Equal(old, val) {
		return nil
	}
	v.b.change(k, viewVal{old, had}, viewVal{val, true})
	return v.b.set(key(pView, v.socb, []byte(k)), val)
}

// Delete removes a view key.
func (v *Views) Delete(k string) error {
	if err := v.b.load(); err != nil {
		return err
	}
	old, ok, err := v.View(k)
	if err != nil || !ok {
		return err
	}
	v.b.change(k, viewVal{old, true}, viewVal{nil, false})
	return v.b.del(key(pView, v.socb, []byte(k)))
}
