package recsync

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// session is one sync stream, from either end.
type session struct {
	svc  *Service
	str  network.Stream
	soc  cid.Cid
	in   *meteredReader
	r    *bufio.Reader
	wd   *watchdog
	stop func() bool // unhooks the service's Close
	sesT *time.Timer // the session's deadline

	// The message being read (one reader at a time): when its first byte
	// came (unix ns, 0 between messages), the stream bytes read before it,
	// and the timer that checks its pace. held counts the bytes of message
	// buffers reserved and not yet released; unknown is set for the
	// inbound session of a peer Options.Known does not know.
	msgStart atomic.Int64
	msgBase  atomic.Int64
	msgT     *time.Timer
	held     atomic.Int64
	unknown  bool

	mu       sync.Mutex
	err      error // the first failure; the stream is reset
	finished bool

	// Counters: the receiving side owns the In ones, the writing side (one
	// goroutine at a time) the Out ones.
	recordsIn, recordsOut int
	bytesOut              int64

	// Progress reporting (Options.OnProgress): set by the session's
	// goroutine once the hellos are exchanged.
	peer     peer.ID
	inbound  bool
	ours     map[string]uint64
	progress *Progress

	// admit is Options.Admit's policy for the session's peer and society,
	// asked once by the receiving side (admitSet).
	admit    crdt.Admit
	admitSet bool
	// Invitations: inv is the proof an initiator sends; a responder
	// serving an invited peer sets past (the invite's causal past, in
	// causal order) and accept (the records it takes from the peer).
	inv    *Invitation
	past   *pastSet
	accept func(*crdt.Record) bool
}

// pastSet is the causal past of an invite: its records in causal order and
// their version vector.
type pastSet struct {
	cids []cid.Cid
	seqs []uint64
	keys []string // authors, raw keys as strings
	vv   map[string]uint64
}

// causalPast collects the causal past of record from, in causal order
// (time, then CID), as RecordsAfter sends records.
func (s *Service) causalPast(soc, from cid.Cid) (*pastSet, error) {
	type item struct {
		t   crdt.HLC
		c   cid.Cid
		key string
		seq uint64
	}
	var items []item
	err := s.st.View(soc, func(r *crdt.Reader) error {
		return r.WalkBack([]cid.Cid{from}, 0, func(c cid.Cid, rec *crdt.Record) error {
			items = append(items, item{rec.Time, c, string(rec.Author), rec.Seq})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("recsync: causal past of %s: %w", from, err)
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].t != items[j].t {
			return items[i].t < items[j].t
		}
		return bytes.Compare(items[i].c.Bytes(), items[j].c.Bytes()) < 0
	})
	ps := &pastSet{vv: map[string]uint64{}}
	for _, it := range items {
		ps.cids, ps.seqs, ps.keys = append(ps.cids, it.c), append(ps.seqs, it.seq), append(ps.keys, it.key)
		ps.vv[it.key] = max(ps.vv[it.key], it.seq)
	}
	return ps, nil
}

func (s *Service) newSession(str network.Stream, soc cid.Cid) *session {
	ss := &session{svc: s, str: str, soc: soc}
	ss.wd = newWatchdog(s.opts.IdleTimeout, func() {
		ss.fail(fmt.Errorf("%w: no progress for %v", ErrTimeout, s.opts.IdleTimeout))
	})
	ss.in = &meteredReader{r: str, wd: ss.wd}
	ss.r = bufio.NewReaderSize(ss.in, 64<<10)
	ss.stop = context.AfterFunc(s.ctx, func() { ss.fail(ErrClosed) })
	ss.sesT = time.AfterFunc(s.opts.SessionTimeout, func() {
		ss.fail(fmt.Errorf("%w: session took over %v", ErrTimeout, s.opts.SessionTimeout))
	})
	return ss
}

// fail records the session's first error and resets the stream, which
// unblocks every read and write on it.
func (ss *session) fail(err error) {
	ss.mu.Lock()
	if ss.finished {
		ss.mu.Unlock()
		return
	}
	if ss.err == nil {
		ss.err = err
	}
	ss.mu.Unlock()
	_ = ss.str.Reset()
}

// finish ends the session: with err (or an earlier failure) the stream is
// reset, else it is closed. It returns the session's error.
func (ss *session) finish(err error) error {
	if err != nil {
		ss.fail(err)
	}
	ss.mu.Lock()
	ss.finished = true
	err = ss.err
	ss.mu.Unlock()
	ss.wd.stop()
	ss.stop()
	ss.sesT.Stop()
	if n := int(ss.held.Swap(0)); n > 0 {
		ss.str.Scope().ReleaseMemory(n)
		if ss.unknown {
			ss.svc.takeUnknown(-n)
		}
	}
	if err == nil {
		if cerr := ss.str.Close(); cerr != nil {
			err = fmt.Errorf("recsync: close stream: %w", cerr)
		}
	}
	return err
}

// cause returns the recorded failure when there is one: a read or write
// that fails because the stream was reset reports why it was.
func (ss *session) cause(err error) error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.err != nil {
		return ss.err
	}
	return err
}

// write sends one message, in chunks so that the watchdog sees progress.
func (ss *session) write(m *msg) error {
	frame, err := encodeMsg(m)
	if err != nil {
		return err
	}
	for len(frame) > 0 {
		n := min(len(frame), writeChunk)
		w, err := ss.str.Write(frame[:n])
		ss.bytesOut += int64(w)
		if err != nil {
			return ss.cause(fmt.Errorf("recsync: write: %w", err))
		}
		ss.wd.progress()
		frame = frame[n:]
	}
	return nil
}

// read receives one message within this side's size limit and pace: from
// its first byte, the bytes of a message must keep up with
// MinBytesPerSecond after a grace of IdleTimeout (at any time t after the
// first byte, (t - IdleTimeout) × MinBytesPerSecond bytes have come), so
// that a trickle is cut after about IdleTimeout whatever length it
// declares. It returns the bytes reserved for the message, which the
// caller releases once done with it.
func (ss *session) read() (*msg, int, error) {
	if _, err := ss.r.Peek(1); err == nil {
		ss.msgBase.Store(ss.in.n.Load() - int64(ss.r.Buffered()))
		ss.msgStart.Store(time.Now().UnixNano())
		if ss.msgT == nil {
			ss.msgT = time.AfterFunc(ss.svc.opts.IdleTimeout, ss.checkPace)
		} else {
			ss.msgT.Reset(ss.svc.opts.IdleTimeout)
		}
	}
	m, mem, err := readMsg(ss.r, ss.svc.opts.MaxMessageBytes, ss)
	ss.msgStart.Store(0)
	if ss.msgT != nil {
		ss.msgT.Stop()
	}
	if err != nil && !errors.Is(err, ErrBadPeer) && err != errEOF {
		return nil, 0, ss.cause(err)
	}
	return m, mem, err
}

// checkPace fails the session when the message being read fell behind
// MinBytesPerSecond, else checks again when it would.
func (ss *session) checkPace() {
	start := ss.msgStart.Load()
	if start == 0 {
		return // between messages: the idle watchdog's job
	}
	o := ss.svc.opts
	got := ss.in.n.Load() - ss.msgBase.Load()
	due := time.Unix(0, start).Add(o.IdleTimeout + time.Duration(got)*time.Second/time.Duration(o.MinBytesPerSecond))
	if left := time.Until(due); left > 0 {
		ss.msgT.Reset(left)
		return
	}
	ss.fail(fmt.Errorf("%w: a message came slower than %d bytes/s", ErrTimeout, o.MinBytesPerSecond))
}

// begin is told the length of the message being read (bodyBudget); its
// pace is checked as bytes come (checkPace).
func (ss *session) begin(int) {}

// reserve accounts n more bytes of message buffer (bodyBudget): in the
// stream's scope of the resource manager, and in the unknown peers' share
// for an unknown peer.
func (ss *session) reserve(n int) error {
	if err := ss.str.Scope().ReserveMemory(n, network.ReservationPriorityMedium); err != nil {
		return fmt.Errorf("%w: %w", ErrNoMemory, err)
	}
	if ss.unknown && !ss.svc.takeUnknown(n) {
		ss.str.Scope().ReleaseMemory(n)
		return fmt.Errorf("%w: the share of unknown peers is used up", ErrNoMemory)
	}
	ss.held.Add(int64(n))
	return nil
}

// release gives back n bytes reserved (bodyBudget).
func (ss *session) release(n int) {
	if n <= 0 {
		return
	}
	ss.held.Add(-int64(n))
	ss.str.Scope().ReleaseMemory(n)
	if ss.unknown {
		ss.svc.takeUnknown(-n)
	}
}

// hello returns this side's hello for the session's society.
func (ss *session) hello() (*msg, error) {
	var vv map[string]uint64
	if ss.past != nil {
		vv = ss.past.vv
	} else {
		var err error
		if vv, err = ss.svc.st.VersionVector(ss.soc); err != nil {
			return nil, fmt.Errorf("recsync: version vector: %w", err)
		}
	}
	packed, err := packVector(vv)
	if err != nil {
		return nil, err
	}
	ss.ours = vv
	o := ss.svc.opts
	h := &hello{Society: Handle(ss.soc), Vector: packed,
		Limit: uint64(o.MaxRecordsPerSession), MaxMessage: uint64(o.MaxMessageBytes)}
	if ss.inv != nil {
		h.Invite, h.Proof = &crdt.Link{Cid: ss.inv.Invite}, ss.inv.Proof
	}
	return &msg{Hello: h}, nil
}

// initiate runs the initiator's side.
func (ss *session) initiate() (Stats, error) {
	var st Stats
	var refused error
	err := ss.initiateExchange(&st, &refused)
	err = ss.finish(err)
	if err == nil {
		err = refused
	}
	st.RecordsIn, st.RecordsOut = ss.recordsIn, ss.recordsOut
	st.BytesIn, st.BytesOut = ss.in.n.Load(), ss.bytesOut
	return st, err
}

// initiateExchange runs the session; a refusal of the hello is not a
// failure of the stream, which is closed normally, and goes to refused.
func (ss *session) initiateExchange(st *Stats, refused *error) error {
	h, err := ss.hello()
	if err != nil {
		return err
	}
	if err := ss.write(h); err != nil {
		return err
	}
	m, mem, err := ss.read()
	if err == errEOF {
		return fmt.Errorf("recsync: peer closed the stream before its hello: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return err
	}
	defer ss.release(mem)
	st.RoundTrips = 1
	switch {
	case m.Error != nil:
		*refused = refusal(m.Error)
		return nil
	case m.Hello == nil:
		return fmt.Errorf("%w: expected a hello", ErrBadPeer)
	case !bytes.Equal(m.Hello.Society, Handle(ss.soc)):
		return fmt.Errorf("%w: hello names another society", ErrBadPeer)
	}
	return ss.exchange(m.Hello)
}

// respond runs the responder's side.
func (ss *session) respond() error {
	return ss.finish(ss.respondExchange())
}

func (ss *session) respondExchange() error {
	m, mem, err := ss.read()
	if err == errEOF {
		return fmt.Errorf("recsync: peer closed the stream before its hello: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return err
	}
	defer ss.release(mem)
	if m.Hello == nil {
		return fmt.Errorf("%w: expected a hello", ErrBadPeer)
	}
	soc, held, err := ss.svc.byHandle(m.Hello.Society)
	if err != nil {
		return err
	}
	if !held {
		return ss.sendRefusal(codeUnknownSociety, notHeld)
	}
	ss.soc = soc
	if !ss.svc.member(soc, ss.peer) {
		// A stranger gets the refusal of a society not held, so it cannot
		// tell that this node holds it, unless it proves an invite.
		inv := m.Hello.Invite
		if inv == nil || ss.svc.opts.Invited == nil {
			return ss.sendRefusal(codeUnknownSociety, notHeld)
		}
		accept, err := ss.svc.opts.Invited(soc, ss.peer, inv.Cid, m.Hello.Proof)
		if err != nil || accept == nil {
			return ss.sendRefusal(codeUnknownSociety, notHeld)
		}
		if ss.past, err = ss.svc.causalPast(soc, inv.Cid); err != nil {
			return err
		}
		ss.accept = accept
	}
	if _, err := unpackVector(m.Hello.Vector); err != nil {
		return err
	}
	h, err := ss.hello()
	if err != nil {
		return err
	}
	if err := ss.write(h); err != nil {
		return err
	}
	return ss.exchange(m.Hello)
}

// notHeld is the text of every refusal of a society, held or not.
const notHeld = "society not held"

// refuse answers a session with an error message and ends it.
func (ss *session) refuse(code uint64, text string) {
	_ = ss.finish(ss.sendRefusal(code, text))
}

// sendRefusal sends an error message and half-closes the stream; finish
// then closes it.
func (ss *session) sendRefusal(code uint64, text string) error {
	if err := ss.write(&msg{Error: &wireErr{Code: code, Text: text}}); err != nil {
		return err
	}
	if err := ss.str.CloseWrite(); err != nil {
		return ss.cause(fmt.Errorf("recsync: close write: %w", err))
	}
	return nil
}

// refusal turns a peer's error message into an error.
func refusal(e *wireErr) error {
	text := e.Text
	if len(text) > 200 {
		text = text[:200]
	}
	if e.Code == codeUnknownSociety {
		return fmt.Errorf("%w: %w: %q", ErrRefused, ErrUnknownSociety, text)
	}
	return fmt.Errorf("%w: code %d: %q", ErrRefused, e.Code, text)
}

// exchange streams records both ways after the hellos: this side's records
// go out from a second goroutine while this one ingests the peer's. Each
// side half-closes once it has sent its done and ingested the peer's, so
// the end of the peer's stream tells that it stored everything sent to it.
func (ss *session) exchange(their *hello) error {
	theirVV, err := unpackVector(their.Vector)
	if err != nil {
		return err
	}
	o := ss.svc.opts
	limit := min(uint64(o.MaxRecordsPerSession), their.Limit)
	maxMsg := max(min(uint64(o.MaxMessageBytes), their.MaxMessage), minMessageBytes)
	ss.started(theirVV, int(limit))
	sent := make(chan error, 1)
	go func() { sent <- ss.send(theirVV, int(limit), int(maxMsg)) }()
	waited := false
	err = ss.receive(func() error {
		waited = true
		if err := <-sent; err != nil {
			return err
		}
		if err := ss.str.CloseWrite(); err != nil {
			return ss.cause(fmt.Errorf("recsync: close write: %w", err))
		}
		return nil
	})
	if err != nil {
		ss.fail(err)
	}
	if !waited {
		if err := <-sent; err != nil {
			ss.fail(err)
		}
	}
	return ss.cause(nil)
}

// send streams the records the peer lacks, at most limit, in batches of at
// most maxMsg bytes, then a done message.
func (ss *session) send(theirVV map[string]uint64, limit, maxMsg int) error {
	batchSize := ss.svc.opts.BatchSize
	batch := make([][]byte, 0, batchSize)
	size := msgOverhead
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ss.write(&msg{Batch: batch}); err != nil {
			return err
		}
		ss.recordsOut += len(batch)
		batch, size = batch[:0], msgOverhead
		return nil
	}
	if limit > 0 {
		// Collecting what the peer lacks is local work: not idle.
		ss.wd.setBusy(true)
		busy := true
		err := ss.recordsFor(theirVV, limit, func(raw []byte) error {
			if busy {
				ss.wd.setBusy(false)
				busy = false
			}
			if len(batch) > 0 && (len(batch) >= batchSize || size+len(raw)+recordOverhead > maxMsg) {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, raw)
			size += len(raw) + recordOverhead
			return nil
		})
		if busy {
			ss.wd.setBusy(false)
		}
		if err != nil {
			return ss.cause(fmt.Errorf("recsync: send records: %w", err))
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return ss.write(&msg{Done: &done{Records: uint64(ss.recordsOut)}})
}

// recordsFor calls fn with the records the peer lacks, at most limit, in
// causal order: of the society, or of the invite's causal past for an
// invited peer.
func (ss *session) recordsFor(theirVV map[string]uint64, limit int, fn func(raw []byte) error) error {
	if ss.past == nil {
		_, err := ss.svc.st.RecordsAfter(ss.soc, theirVV, limit, func(_ cid.Cid, raw []byte) error { return fn(raw) })
		return err
	}
	n := 0
	for i, c := range ss.past.cids {
		if ss.past.seqs[i] <= theirVV[ss.past.keys[i]] {
			continue
		}
		if n++; n > limit {
			return nil
		}
		raw, err := ss.svc.st.Record(c)
		if err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

// Receive pipelining, sized by bytes: the reader stays ahead while the
// message buffers held (read, being prepared or ingested) are under
// readAheadBytes, and one Ingest takes the prepared batches waiting, up to
// coalesceBytes of records.
const (
	readAheadBytes = 4 << 20
	coalesceBytes  = 1 << 20
	// pipeMessages is the most messages waiting between two stages (their
	// bytes are what bounds them).
	pipeMessages = 64
)

// inMsg is one message read, with the bytes reserved for it and its
// records prepared (decoded and their signatures checked), or the error
// that ended the reading.
type inMsg struct {
	m    *msg
	mem  int
	prep *crdt.Prepared
	err  error
}

// receive ingests the peer's batches until its done message, calls
// closeWrite, and waits for the end of the peer's writes. It runs three
// stages: a reader goroutine reads messages while the buffers held stay
// under readAheadBytes; a preparer goroutine decodes each batch and checks
// its signatures on every core (crdt.Store.Prepare); this goroutine
// ingests the prepared batches waiting, up to coalesceBytes in one Ingest
// and one fsync. So the next batches arrive and are verified while one is
// written. At most readAheadBytes plus one message are read ahead.
func (ss *session) receive(closeWrite func() error) (err error) {
	read := make(chan inMsg, pipeMessages)
	msgs := make(chan inMsg, pipeMessages)
	quit := make(chan struct{})
	freed := make(chan struct{}, 1)
	go func() {
		defer close(read)
		for {
			for ss.held.Load() >= readAheadBytes {
				select {
				case <-freed:
				case <-quit:
					return
				}
			}
			m, mem, err := ss.read()
			select {
			case read <- inMsg{m: m, mem: mem, err: err}:
			case <-quit:
				ss.release(mem)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(msgs)
		for in := range read {
			if in.err == nil && in.m.Batch != nil {
				ss.wd.setBusy(true)
				in.prep = ss.svc.st.Prepare(in.m.Batch)
				ss.wd.setBusy(false)
			}
			select {
			case msgs <- in:
			case <-quit:
				ss.release(in.mem)
				for in := range read {
					ss.release(in.mem)
				}
				return
			}
		}
	}()
	defer func() {
		close(quit)
		if err != nil {
			ss.fail(err) // unblocks the reader
		}
		for in := range msgs { // wait for the reader and the preparer
			ss.release(in.mem)
		}
	}()
	release := func(n int) {
		ss.release(n)
		select {
		case freed <- struct{}{}:
		default:
		}
	}

	var held *inMsg
	next := func() inMsg {
		if held != nil {
			in := *held
			held = nil
			return in
		}
		in, ok := <-msgs
		if !ok {
			return inMsg{err: errEOF}
		}
		return in
	}
	limit := ss.svc.opts.MaxRecordsPerSession
	take := func(batch [][]byte) error {
		if ss.recordsIn+len(batch) > limit {
			return fmt.Errorf("%w: more than the %d records announced as the limit", ErrBadPeer, limit)
		}
		ss.recordsIn += len(batch)
		return nil
	}
	for {
		in := next()
		if in.err == errEOF {
			return fmt.Errorf("recsync: peer closed the stream before done: %w", io.ErrUnexpectedEOF)
		}
		if in.err != nil {
			return in.err
		}
		m, mem := in.m, in.mem
		if m.Batch == nil {
			release(mem)
		}
		switch {
		case m.Batch != nil:
			if err := take(m.Batch); err != nil {
				release(mem)
				return err
			}
			batch, preps, size := m.Batch, []*crdt.Prepared{in.prep}, batchBytes(m.Batch)
		coalesce:
			for size < coalesceBytes {
				select {
				case in, ok := <-msgs:
					if !ok {
						break coalesce
					}
					if in.err != nil || in.m.Batch == nil {
						held = &in
						break coalesce
					}
					if err := take(in.m.Batch); err != nil {
						// Ingest what came before the excess first.
						release(in.mem)
						held = &inMsg{err: err}
						break coalesce
					}
					batch = append(batch[:len(batch):len(batch)], in.m.Batch...)
					preps = append(preps, in.prep)
					size += batchBytes(in.m.Batch)
					mem += in.mem
				default:
					break coalesce
				}
			}
			err := ss.ingest(batch, preps)
			release(mem)
			if err != nil {
				return err
			}
		case m.Done != nil:
			if m.Done.Records != uint64(ss.recordsIn) {
				return fmt.Errorf("%w: done after %d records claims %d", ErrBadPeer, ss.recordsIn, m.Done.Records)
			}
			if err := closeWrite(); err != nil {
				return err
			}
			if in := next(); in.err != errEOF {
				release(in.mem)
				if in.err != nil {
					return in.err
				}
				return fmt.Errorf("%w: message after done", ErrBadPeer)
			}
			return nil
		case m.Error != nil:
			return refusal(m.Error)
		default:
			return fmt.Errorf("%w: unexpected hello", ErrBadPeer)
		}
	}
}

// batchBytes is the size of a batch's records.
func batchBytes(batch [][]byte) int {
	n := 0
	for _, raw := range batch {
		n += len(raw)
	}
	return n
}

// ingest stores one batch, prepared by crdt.Store.Prepare; any rejected
// record makes the peer bad, though the valid records of the batch stay
// stored.
func (ss *session) ingest(batch [][]byte, preps []*crdt.Prepared) error {
	if ss.accept != nil {
		for _, raw := range batch {
			rec, c, err := crdt.Decode(raw)
			if err != nil {
				return fmt.Errorf("%w: undecodable record from an invited peer: %w", ErrBadPeer, err)
			}
			if !ss.accept(rec) {
				return fmt.Errorf("%w: an invited peer sent record %s, not its own join", ErrBadPeer, c)
			}
		}
	}
	ss.wd.setBusy(true)
	if !ss.admitSet {
		ss.admitSet = true
		if ss.svc.opts.Admit != nil {
			ss.admit = ss.svc.opts.Admit(ss.soc, ss.peer)
		}
	}
	res, err := ss.svc.st.IngestPrepared(ss.soc, preps, ss.admit)
	ss.wd.setBusy(false)
	if len(res.Applied) > 0 && ss.svc.opts.OnRecords != nil {
		ss.svc.opts.OnRecords(ss.soc, res)
	}
	ss.received()
	if err != nil {
		return fmt.Errorf("recsync: ingest: %w", err)
	}
	if n := len(res.Rejected); n > 0 {
		r := res.Rejected[0]
		return fmt.Errorf("%w: %d of %d records rejected, first %s: %w", ErrBadPeer, n, len(batch), r.CID, r.Err)
	}
	return nil
}

// started reports the start of the exchange to OnProgress.
func (ss *session) started(theirs map[string]uint64, limit int) {
	f := ss.svc.opts.OnProgress
	if f == nil {
		return
	}
	ss.svc.mu.Lock()
	ss.svc.sessions++
	id := ss.svc.sessions
	ss.svc.mu.Unlock()
	ss.progress = &Progress{Session: id, Peer: ss.peer, Society: ss.soc, Inbound: ss.inbound, Ours: ss.ours, Theirs: theirs,
		Expected: min(behind(theirs, ss.ours), limit), Missing: behind(ss.ours, theirs)}
	f(*ss.progress)
}

// received reports the records received so far to OnProgress.
func (ss *session) received() {
	if ss.progress == nil {
		return
	}
	ss.progress.Received = ss.recordsIn
	ss.svc.opts.OnProgress(*ss.progress)
}

// ended reports the end of a session that reached the exchange to
// OnProgress.
func (ss *session) ended(err error) {
	if ss.progress == nil {
		return
	}
	p := *ss.progress
	p.Received, p.Sent, p.Done, p.Err = ss.recordsIn, ss.recordsOut, true, err
	ss.svc.opts.OnProgress(p)
}

// meteredReader counts the bytes read and tells the watchdog of progress.
type meteredReader struct {
	r  io.Reader
	n  atomic.Int64
	wd *watchdog
}

func (m *meteredReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if n > 0 {
		m.n.Add(int64(n))
		m.wd.progress()
	}
	return n, err
}

// watchdog calls fire once the session has made no progress for idle while
// not busy with local work. It works on any stream, deadlines or not.
type watchdog struct {
	mu      sync.Mutex
	idle    time.Duration
	last    time.Time
	busy    int
	stopped bool
	t       *time.Timer
	fire    func()
}

func newWatchdog(idle time.Duration, fire func()) *watchdog {
	w := &watchdog{idle: idle, last: time.Now(), fire: fire}
	w.mu.Lock()
	w.t = time.AfterFunc(idle, w.check)
	w.mu.Unlock()
	return w
}

func (w *watchdog) check() {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	if w.busy > 0 {
		w.t.Reset(w.idle)
		w.mu.Unlock()
		return
	}
	if left := w.idle - time.Since(w.last); left > 0 {
		w.t.Reset(left)
		w.mu.Unlock()
		return
	}
	w.stopped = true
	w.mu.Unlock()
	w.fire()
}

func (w *watchdog) progress() {
	w.mu.Lock()
	w.last = time.Now()
	w.mu.Unlock()
}

func (w *watchdog) setBusy(b bool) {
	w.mu.Lock()
	if b {
		w.busy++
	} else {
		w.busy--
		w.last = time.Now()
	}
	w.mu.Unlock()
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.t.Stop()
	w.mu.Unlock()
}
