package crdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/commons-society/commons/internal/refusal"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// Key spaces of the Badger store. Records are global (a CID names one
// record); everything else is under the society ID.
const (
	pRecord   = 'r' // r CID -> record bytes
	pMeta     = 'm' // m soc CID -> Meta
	pChain    = 'c' // c soc author seq -> CID of the first record held there (for sync)
	pVector   = 'v' // v soc author -> highest seq, its CID
	pOrder    = 'o' // o soc time CID -> nil: canonical order, a topological order
	pView     = 's' // s soc key -> value: derived views, covered by the state hash
	pHash     = 'h' // h soc -> state hash, record count
	pFork     = 'f' // f soc author -> fork proof
	pSociety  = 'g' // g soc -> nil: the societies held
	pRebuild  = 'b' // b soc -> nil: a rebuild of the views is under way
	pPending  = 'q' // q CID -> uvarint len, soc CID, record: parked for missing parents
	forkViewK = "~fork/"
)

// Config sizes the Badger store; the zero value gives phone-sane defaults.
type Config struct {
	// Dir is the directory of the Badger files (created if missing).
	Dir string
	// PendingMaxRecords and PendingMaxBytes bound the records parked while
	// they wait for their parents (defaults 10,000 and 32 MiB).
	PendingMaxRecords int
	PendingMaxBytes   int
	// Profile sizes Badger's memory and files (ProfileDesktop when zero).
	Profile Profile
}

// Entry is a decoded record with its identity and bytes.
type Entry struct {
	CID cid.Cid
	Rec *Record
	Raw []byte
	// PrevMeta and DepMetas are the stored metadata of the record's prev
	// and deps (aligned with Rec.Deps), filled in before Applier.Check.
	PrevMeta *Meta
	DepMetas []Meta
	// Body is free for the Applier: Check may keep the decoded body here
	// for Apply to reuse.
	Body any
}

// Meta is what the store keeps about each stored record, for cheap checks
// of later records against their causal predecessors.
type Meta struct {
	Seq    uint64
	Time   HLC
	Type   string
	Author []byte
	// Flags, Member and Subject belong to the domain (see Applier.Check).
	Flags   uint8
	Member  []byte
	Subject []byte
}

// Applier is the domain logic the store drives: package ledger.
type Applier interface {
	// Check decides whether a record may be stored, from the record and its
	// causal predecessors only (all of which are stored when Check runs). It
	// returns the domain part of the record's Meta, or an error saying why the
	// record is rejected.
	Check(r *Reader, e *Entry) (Meta, error)
	// Apply folds a stored record into the derived views. It returns true when
	// the record changes which records take effect (a revocation or a
	// removal), so that the views must be rebuilt from the log.
	Apply(v *Views, e *Entry, m Meta) (rebuild bool, err error)
	// Exclude is the first pass of a rebuild: it sees every stored record in
	// canonical order before any is applied, so that the records which
	// decide exclusions (revocations, removals) are all known when the second
	// pass calls Apply.
	Exclude(v *Views, e *Entry, m Meta) error
}

// Rejection names a record that was not stored and why.
type Rejection struct {
	CID cid.Cid
	Err error
}

// Result reports what an Ingest did.
type Result struct {
	// Applied lists the records stored, in the order they were applied.
	Applied []cid.Cid
	// Duplicates counts records already held.
	Duplicates int
	// Pending counts records parked until their parents arrive.
	Pending int
	// Rejected lists invalid records; none of them was stored.
	Rejected []Rejection
	// Forks counts equivocations newly detected.
	Forks int
	// Rebuilt is true when the views were recomputed from the log.
	Rebuilt bool
}

// Store is the Badger-backed log of one or more societies.
type Store struct {
	db      *badger.DB
	app     Applier
	mu      sync.Mutex // serialises writers
	pending *pendingSet
	// flushSize and flushEntries are when a write batch is committed
	// (flushLimits of the profile's memtables).
	flushSize, flushEntries int
	// metas caches the metadata of committed records (keepMeta), under mu.
	metas map[metaKey]Meta
}

// Profile sizes the store for a kind of device.
type Profile uint8

const (
	// ProfileDesktop is the default: 16 MiB memtables (two), 64 MiB value
	// log files, a 32 MiB block cache.
	ProfileDesktop Profile = iota
	// ProfilePhone keeps a phone's memory and storage small: 4 MiB
	// memtables (two), 16 MiB value log files, an 8 MiB block cache and
	// values over 1 KiB kept in the value log.
	ProfilePhone
)

func (p Profile) String() string {
	if p == ProfilePhone {
		return "phone"
	}
	return "desktop"
}

// BadgerOptions returns the options of the desktop profile; see
// Profile.BadgerOptions.
func BadgerOptions(dir string) badger.Options { return ProfileDesktop.BadgerOptions(dir) }

// BadgerOptions returns the options used for a store of this profile,
// writes made durable by an explicit Sync before any write is acknowledged.
// Badger's conflict detection is off: the store writes in one transaction
// at a time, so there is never a conflict to find, and tracking the keys
// of every read and write cost the single writer for nothing.
func (p Profile) BadgerOptions(dir string) badger.Options {
	o := badger.DefaultOptions(dir).
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithValueLogFileSize(64 << 20).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(0).
		WithValueThreshold(4 << 10). // well under 15% of the memtable
		WithNumCompactors(2).
		WithSyncWrites(false).
		WithDetectConflicts(false). // one writer at a time (Store.mu)
		WithLogger(quietLogger{})
	if p == ProfilePhone {
		o = o.WithMemTableSize(4 << 20).
			WithValueLogFileSize(16 << 20).
			WithBlockCacheSize(8 << 20).
			WithValueThreshold(1 << 10).
			WithBaseTableSize(1 << 20).
			WithNumLevelZeroTables(3).
			WithNumLevelZeroTablesStall(8)
	}
	return o
}

// Open opens (creating if needed) the store in cfg.Dir. A rebuild cut short
// by a crash is finished before Open returns.
func Open(cfg Config, app Applier) (*Store, error) {
	db, err := badger.Open(cfg.Profile.BadgerOptions(cfg.Dir))
	if err != nil {
		return nil, fmt.Errorf("crdt: open store %s: %w", cfg.Dir, err)
	}
	s := &Store{db: db, app: app, pending: newPendingSet(cfg.PendingMaxRecords, cfg.PendingMaxBytes), metas: make(map[metaKey]Meta)}
	s.flushSize, s.flushEntries = flushLimits(db.Opts().MemTableSize)
	var unfinished []cid.Cid
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pRebuild}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			c, err := cid.Cast(it.Item().KeyCopy(nil)[1:])
			if err != nil {
				return fmt.Errorf("%w: rebuild marker: %v", ErrCorrupt, err)
			}
			unfinished = append(unfinished, c)
		}
		return nil
	})
	if err == nil {
		for _, soc := range unfinished {
			if err = s.Rebuild(soc); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = s.migrateHashes()
	}
	if err == nil {
		err = s.restorePending()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close flushes and closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("crdt: close store: %w", err)
	}
	return nil
}

// DB exposes the Badger handle for read-only diagnostics and tests.
func (s *Store) DB() *badger.DB { return s.db }

func key(p byte, parts ...[]byte) []byte {
	n := 1
	for _, x := range parts {
		n += len(x)
	}
	k := make([]byte, 1, n)
	k[0] = p
	for _, x := range parts {
		k = append(k, x...)
	}
	return k
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// decoded is the outcome of the parallel decode stage.
type decoded struct {
	e   *Entry
	err error
	cid cid.Cid
	dup bool // already held: not decoded or verified again
}

// decodeAll decodes and verifies records on every core, keeping order.
func decodeAll(raws [][]byte) []decoded { return decodeAllHeld(raws, nil) }

// decodeAllHeld is decodeAll that skips, as duplicates, records for which
// held reports true: a CID is the hash of the bytes, so a held record with
// that CID has these very bytes and was verified when it was stored.
func decodeAllHeld(raws [][]byte, db *badger.DB) []decoded {
	out := make([]decoded, len(raws))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(raws) {
		workers = len(raws)
	}
	var wg sync.WaitGroup
	const chunk = 64
	var next int64
	var nmu sync.Mutex
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				nmu.Lock()
				start := int(next)
				next += chunk
				nmu.Unlock()
				if start >= len(raws) {
					return
				}
				end := min(start+chunk, len(raws))
				batch := newSigBatch(end - start)
				var queued []int
				var txn *badger.Txn // one read transaction per chunk
				if db != nil {
					txn = db.NewTransaction(false)
				}
				for i := start; i < end; i++ {
					c := CIDOf(raws[i]) // hashed once: the held check and the entry share it
					if len(raws[i]) > MaxRecordSize {
						out[i] = decoded{err: fmt.Errorf("%w: %d bytes", ErrTooLarge, len(raws[i])), cid: c}
						continue
					}
					if txn != nil {
						if _, err := txn.Get(key(pRecord, c.Bytes())); err == nil {
							out[i] = decoded{cid: c, dup: true}
							continue
						}
					}
					r, err := decodeUnverified(raws[i])
					var msg []byte
					if err == nil {
						msg, err = signingBytesOf(raws[i], r)
					}
					if err != nil {
						out[i] = decoded{err: err, cid: c}
						continue
					}
					out[i] = decoded{e: &Entry{CID: c, Rec: r, Raw: raws[i]}, cid: c}
					batch.add(r.Author, msg, r.Sig)
					queued = append(queued, i)
				}
				if txn != nil {
					txn.Discard()
				}
				for k, ok := range batch.verify() {
					if !ok {
						i := queued[k]
						out[i] = decoded{err: ErrBadSignature, cid: out[i].cid}
					}
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// pipelineChunk is how many records one decode step covers.
const pipelineChunk = 256

// decodePipeline decodes raws chunk by chunk on every core and delivers the
// chunks in order, staying at most a few chunks ahead of the consumer.
func (s *Store) decodePipeline(raws [][]byte) <-chan []decoded {
	out := make(chan []decoded, 2)
	go func() {
		defer close(out)
		for i := 0; i < len(raws); i += pipelineChunk {
			out <- decodeAllHeld(raws[i:min(i+pipelineChunk, len(raws))], s.db)
		}
	}()
	return out
}

// Ingest verifies, validates and stores records of one society, applying
// each after its prev and deps; records whose parents are missing wait in a
// bounded pending set. The society's genesis record is accepted only when
// its CID is society. When Ingest returns nil, every applied record is
// durable on disk.
func (s *Store) Ingest(society cid.Cid, raws [][]byte) (Result, error) {
	return s.IngestAdmit(society, raws, nil)
}

// IngestAdmit is Ingest with a policy on the sender's records: each new
// record of raws that admit refuses is listed in Result.Rejected (its error
// wrapping ErrNotAdmitted) and not stored. Records that raws release from
// the pending set were judged when they arrived.
func (s *Store) IngestAdmit(society cid.Cid, raws [][]byte, admit Admit) (Result, error) {
	// Decoding and signature checks run on every core, a chunk ahead of
	// the single writer that applies records in order.
	chunks := s.decodePipeline(raws)
	defer func() {
		for range chunks { // drain on early return so the workers finish
		}
	}()
	return s.ingestDecoded(society, chunks, admit)
}

// Prepared is a batch of records decoded, their signatures checked, ahead
// of IngestPrepared: a caller that receives batches one after another
// (sync) prepares the next on every core while the store writes the last.
type Prepared struct {
	ds []decoded
}

// Prepare decodes raws and checks their signatures on every core; records
// the store holds already are only counted as duplicates. It writes
// nothing and takes no lock.
func (s *Store) Prepare(raws [][]byte) *Prepared {
	return &Prepared{ds: decodeAllHeld(raws, s.db)}
}

// IngestPrepared is IngestAdmit of the records of ps, in order, as one
// batch ending with one fsync. Records stored by another Ingest since they
// were prepared are found to be duplicates as they would be by IngestAdmit.
func (s *Store) IngestPrepared(society cid.Cid, ps []*Prepared, admit Admit) (Result, error) {
	chunks := make(chan []decoded, len(ps))
	for _, p := range ps {
		chunks <- p.ds
	}
	close(chunks)
	return s.ingestDecoded(society, chunks, admit)
}

// ingestDecoded stores decoded records as they come from chunks, in one
// batch ending with one fsync.
func (s *Store) ingestDecoded(society cid.Cid, chunks <-chan []decoded, admit Admit) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res Result
	b := s.newBatch(society)
	defer b.discard()
	var queue []*Entry
	for ds := range chunks {
		for _, d := range ds {
			if d.dup {
				res.Duplicates++
				continue
			}
			if d.err != nil {
				res.Rejected = append(res.Rejected, Rejection{CID: d.cid, Err: d.err})
				continue
			}
			if err := admitted(admit, b.reader, d.e); err != nil {
				res.Rejected = append(res.Rejected, Rejection{CID: d.cid, Err: err})
				continue
			}
			queue = append(queue[:0], d.e)
			for len(queue) > 0 {
				e := queue[0]
				queue = queue[1:]
				released, err := s.ingestOne(b, e, &res)
				if err != nil {
					return res, err
				}
				queue = append(queue, released...)
			}
		}
	}
	if err := s.pending.save(b); err != nil {
		return res, err
	}
	if err := b.commit(); err != nil {
		return res, err
	}
	if err := s.db.Sync(); err != nil {
		return res, fmt.Errorf("crdt: sync: %w", err)
	}
	if b.rebuild {
		if err := s.rebuildLocked(society); err != nil {
			return res, err
		}
		res.Rebuilt = true
	}
	return res, nil
}

// ingestOne handles one decoded record; it returns parked records that the
// record released.
func (s *Store) ingestOne(b *batch, e *Entry, res *Result) ([]*Entry, error) {
	r := e.Rec
	soc := b.soc
	if r.Society == nil {
		if !e.CID.Equals(soc) {
			res.Rejected = append(res.Rejected, Rejection{e.CID, fmt.Errorf("%w: genesis %s is not society %s", ErrWrongSociety, e.CID, soc)})
			return nil, nil
		}
	} else if !r.Society.Equals(soc) {
		res.Rejected = append(res.Rejected, Rejection{e.CID, fmt.Errorf("%w: %s", ErrWrongSociety, r.Society.Cid)})
		return nil, nil
	}
	head, err := b.reader.Head(r.Author)
	if err != nil {
		return nil, err
	}
	// The common case, the next record of a chain, cannot be a duplicate:
	// a held copy would have made it the head already.
	next := r.Seq == head.Seq+1 && (r.Seq == 1 || r.Prev.Equals(head.CID))
	if !next {
		if ok, err := b.has(key(pRecord, e.CID.Bytes())); err != nil {
			return nil, err
		} else if ok {
			res.Duplicates++
			return nil, nil
		}
	}
	// Causal delivery: every parent must be stored first.
	missing, bad, err := parentMetas(e, b.meta)
	if err != nil {
		return nil, err
	}
	if missing.Defined() {
		if s.pending.add(soc, e, missing) {
			res.Pending++
		}
		return nil, nil
	}
	if bad != nil {
		res.Rejected = append(res.Rejected, Rejection{e.CID, bad})
		s.pending.drop(e.CID)
		return nil, nil
	}
	m, err := s.app.Check(b.reader, e)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		res.Rejected = append(res.Rejected, Rejection{e.CID, err})
		s.pending.drop(e.CID)
		return nil, nil
	}
	m.Seq, m.Time, m.Type, m.Author = r.Seq, r.Time, r.Type, r.Author
	if err := b.store(e, m, head, res); err != nil {
		return nil, err
	}
	rb, err := s.app.Apply(b.views, e, m)
	if err != nil {
		return nil, fmt.Errorf("crdt: apply %s: %w", e.CID, err)
	}
	if rb {
		b.rebuild = true
	}
	res.Applied = append(res.Applied, e.CID)
	s.pending.drop(e.CID)
	if err := b.maybeFlush(); err != nil {
		return nil, err
	}
	return s.pending.release(soc, e.CID), nil
}

// parentMetas fills e.PrevMeta and e.DepMetas from meta. It returns the
// first parent not held, if any; otherwise bad is the reason the record
// breaks its chain or clock (checkCausal), if it does. err is a store error.
func parentMetas(e *Entry, meta func(cid.Cid) (Meta, bool, error)) (missing cid.Cid, bad, err error) {
	r := e.Rec
	parents := r.Deps
	if r.Prev != nil {
		parents = append([]Link{*r.Prev}, r.Deps...)
	}
	metas := make([]Meta, len(parents))
	for i, p := range parents {
		m, ok, err := meta(p.Cid)
		if err != nil {
			return cid.Undef, nil, err
		}
		if !ok {
			return p.Cid, nil, nil
		}
		metas[i] = m
	}
	if err := checkCausal(r, parents, metas); err != nil {
		return cid.Undef, err, nil
	}
	if r.Prev != nil {
		e.PrevMeta, e.DepMetas = &metas[0], metas[1:]
	} else {
		e.DepMetas = metas
	}
	return cid.Undef, nil, nil
}

// checkCausal checks a record against the metadata of its parents: the
// chain link and the clock.
func checkCausal(r *Record, parents []Link, metas []Meta) error {
	for i, m := range metas {
		if r.Prev != nil && i == 0 {
			if !bytes.Equal(m.Author, r.Author) || m.Seq != r.Seq-1 {
				return fmt.Errorf("%w: prev is not the author's record %d", ErrBadChain, r.Seq-1)
			}
		}
		if r.Time <= m.Time {
			return fmt.Errorf("%w: time %d not after parent %s at %d", ErrBadClock, r.Time, parents[i].Cid, m.Time)
		}
	}
	return nil
}

// State returns a society's state hash and the number of records stored.
func (s *Store) State(society cid.Cid) (StateHash, uint64, error) {
	var h ltHash
	var n uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		h, n, _, err = readHashEntry(txn, society.Bytes())
		return err
	})
	return h.sum(), n, err
}

// hashEntryLen is the length of a state hash entry: the LtHash, the record
// count and the forked-device count. v1 entries (hashEntryV1Len) held a
// 256-bit sum of SHA-256 digests instead; Open migrates them.
const (
	hashEntryLen   = ltWords*8 + 16
	hashEntryV1Len = 48
)

// hashEntry encodes a state hash entry.
func hashEntry(h *ltHash, count, forks uint64) []byte {
	v := make([]byte, hashEntryLen)
	h.put(v)
	binary.BigEndian.PutUint64(v[ltWords*8:], count)
	binary.BigEndian.PutUint64(v[ltWords*8+8:], forks)
	return v
}

// readHashEntry reads the state hash, record count and forked-device
// count; a v1 entry's hash is recomputed from the views (Open migrates
// them, so this happens only in a store opened by an older version).
func readHashEntry(txn *badger.Txn, soc []byte) (ltHash, uint64, uint64, error) {
	var h ltHash
	it, err := txn.Get(key(pHash, soc))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return h, 0, 0, nil
	}
	if err != nil {
		return h, 0, 0, fmt.Errorf("crdt: read state hash: %w", err)
	}
	v, err := it.ValueCopy(nil)
	if err != nil {
		return h, 0, 0, fmt.Errorf("crdt: read state hash: %w", err)
	}
	switch len(v) {
	case hashEntryLen:
		h.get(v)
		return h, binary.BigEndian.Uint64(v[ltWords*8:]), binary.BigEndian.Uint64(v[ltWords*8+8:]), nil
	case hashEntryV1Len:
		h, err := viewsHash(txn, soc)
		return h, binary.BigEndian.Uint64(v[32:]), binary.BigEndian.Uint64(v[40:]), err
	}
	return h, 0, 0, fmt.Errorf("%w: state hash entry", ErrCorrupt)
}

// viewsHash computes a society's LtHash from its views.
func viewsHash(txn *badger.Txn, soc []byte) (ltHash, error) {
	var h ltHash
	p := key(pView, soc)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		val, err := it.Item().ValueCopy(nil)
		if err != nil {
			return h, fmt.Errorf("crdt: read view: %w", err)
		}
		h.addEntry(it.Item().Key()[len(p):], val)
	}
	return h, nil
}

// migrateHashes rewrites v1 state hash entries as LtHash entries,
// computed from the views, each society in one transaction.
func (s *Store) migrateHashes() error {
	socs, err := s.Societies()
	if err != nil {
		return err
	}
	for _, soc := range socs {
		socb := soc.Bytes()
		if err := s.db.Update(func(txn *badger.Txn) error {
			it, err := txn.Get(key(pHash, socb))
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("crdt: read state hash: %w", err)
			}
			if it.ValueSize() != hashEntryV1Len {
				return nil
			}
			h, n, f, err := readHashEntry(txn, socb)
			if err != nil {
				return err
			}
			return txn.Set(key(pHash, socb), hashEntry(&h, n, f))
		}); err != nil {
			return fmt.Errorf("crdt: migrate the state hash of %s: %w", soc, err)
		}
	}
	return nil
}

// Societies lists the societies the store holds records of.
func (s *Store) Societies() ([]cid.Cid, error) {
	var out []cid.Cid
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pSociety}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			c, err := cid.Cast(it.Item().KeyCopy(nil)[1:])
			if err != nil {
				return fmt.Errorf("%w: society key: %v", ErrCorrupt, err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// View runs fn with a read-only view of one society.
func (s *Store) View(society cid.Cid, fn func(r *Reader) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		r := newReader(txn, society)
		r.s = s
		return fn(r)
	})
}

// Head is the newest record of one device chain.
type Head struct {
	Seq  uint64
	CID  cid.Cid
	Time HLC
}

// Head returns a device's newest record in a society (Seq 0 when none).
func (s *Store) Head(society cid.Cid, author []byte) (Head, error) {
	var h Head
	err := s.View(society, func(r *Reader) error {
		var err error
		h, err = r.Head(author)
		return err
	})
	return h, err
}

// VersionVector returns, per device (raw public key as a string), the
// highest contiguous seq held. Causal delivery makes every held chain
// contiguous, so this is the chain length.
func (s *Store) VersionVector(society cid.Cid) (map[string]uint64, error) {
	out := map[string]uint64{}
	soc := society.Bytes()
	err := s.db.View(func(txn *badger.Txn) error {
		p := key(pVector, soc)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("crdt: read vector: %w", err)
			}
			if len(v) < 16 {
				return fmt.Errorf("%w: vector entry", ErrCorrupt)
			}
			out[string(it.Item().KeyCopy(nil)[len(p):])] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return out, err
}

// Record returns a stored record's bytes after re-checking them against the
// CID: a corrupt entry is reported, never served.
func (s *Store) Record(c cid.Cid) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		out, err = getRecord(txn, c)
		return err
	})
	return out, err
}

// ErrNotFound is returned for records or views that are not held (a
// refusal kind, so that front ends can translate it).
var ErrNotFound = refusal.Kind("crdt", "not found")

func getRecord(txn *badger.Txn, c cid.Cid) ([]byte, error) {
	it, err := txn.Get(key(pRecord, c.Bytes()))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, c)
	}
	if err != nil {
		return nil, fmt.Errorf("crdt: read record %s: %w", c, err)
	}
	raw, err := it.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("crdt: read record %s: %w", c, err)
	}
	if !CIDOf(raw).Equals(c) {
		return nil, fmt.Errorf("%w: record %s fails its CID check", ErrCorrupt, c)
	}
	return raw, nil
}

// Records calls fn for every record of a society in canonical order (by
// time, then CID), which is a causal order: parents before children.
func (s *Store) Records(society cid.Cid, fn func(c cid.Cid, raw []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		return eachRecord(txn, society.Bytes(), fn)
	})
}

// eachRecord walks a society's order index inside txn, reading each record
// (CID re-checked).
func eachRecord(txn *badger.Txn, socb []byte, fn func(c cid.Cid, raw []byte) error) error {
	p := key(pOrder, socb)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		c, err := cid.Cast(it.Item().KeyCopy(nil)[len(p)+8:])
		if err != nil {
			return fmt.Errorf("%w: order key: %v", ErrCorrupt, err)
		}
		raw, err := getRecord(txn, c)
		if err != nil {
			return err
		}
		if err := fn(c, raw); err != nil {
			return err
		}
	}
	return nil
}

// Latest calls fn for up to n of a society's records, newest first in
// canonical order (by time, then CID); returning ErrStop ends early.
func (s *Store) Latest(society cid.Cid, n int, fn func(c cid.Cid, raw []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		p := key(pOrder, society.Bytes())
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, Reverse: true})
		defer it.Close()
		seek := append(bytes.Clone(p), bytes.Repeat([]byte{0xff}, 80)...)
		for it.Seek(seek); it.ValidForPrefix(p) && n > 0; it.Next() {
			c, err := cid.Cast(it.Item().KeyCopy(nil)[len(p)+8:])
			if err != nil {
				return fmt.Errorf("%w: order key: %v", ErrCorrupt, err)
			}
			raw, err := getRecord(txn, c)
			if err != nil {
				return err
			}
			if err := fn(c, raw); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
			n--
		}
		return nil
	})
}

// Missing returns up to max CIDs that parked records wait for.
func (s *Store) Missing(society cid.Cid, max int) []cid.Cid {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending.missing(society, max)
}

// PendingCount returns how many records are parked and their total bytes.
func (s *Store) PendingCount() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending.count, s.pending.bytes
}
