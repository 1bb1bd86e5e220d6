package recsync

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/commons-society/commons/crdt"
)

// Wire format. Every message is a uvarint length followed by that many bytes
// of canonical dag-cbor (crdt.Marshal) encoding one msg, of which exactly one
// field is set.
//
//	initiator                        responder
//	Hello{s, v, l, m}          ->
//	                           <-    Hello{s, v, l, m} | Error{c, t}, close
//	Batch{r} ... Batch, Done{n} <->  Batch{r} ... Batch, Done{n}  (both at once)
//	close write                <->   close write
//
// Each side sends the records the other's vector lacks, at most the other's
// l, in messages of at most the other's m bytes. A side half-closes once it
// has sent its Done and ingested the peer's: the end of a side's stream thus
// acknowledges that it stored everything it was sent.

// msg is the one envelope of every message.
type msg struct {
	Hello *hello   `cbor:"h,omitempty"`
	Batch [][]byte `cbor:"r,omitempty"`
	Done  *done    `cbor:"d,omitempty"`
	Error *wireErr `cbor:"e,omitempty"`
}

// hello opens a session: the society, what the sender holds of it, and the
// most it accepts; an initiator that is no member device yet may add an
// invite proof.
type hello struct {
	// Society is the society's handle (Handle), never its ID, so that a
	// stranger learns only the handle.
	Society []byte `cbor:"s"`
	// Vector is the sender's version vector, packed: see packVector.
	Vector []byte `cbor:"v"`
	// Limit is the most records the sender accepts in this session.
	Limit uint64 `cbor:"l"`
	// MaxMessage is the largest message body, in bytes, the sender accepts.
	MaxMessage uint64 `cbor:"m"`
	// Invite and Proof, in an initiator's hello only, prove an invite
	// secret: the invite record's CID and the invite key's signature over
	// membership.SyncInviteMessage (see Options.Invited).
	Invite *crdt.Link `cbor:"i,omitempty"`
	Proof  []byte     `cbor:"p,omitempty"`
}

// done ends one side's stream of batches.
type done struct {
	// Records is how many records the side sent in its batches.
	Records uint64 `cbor:"n"`
}

// wireErr refuses or abandons a session.
type wireErr struct {
	Code uint64 `cbor:"c"`
	Text string `cbor:"t"`
}

// Error codes of wireErr.
const (
	codeUnknownSociety = 1
	codeBusy           = 2
)

const (
	// keySize is the size of a device key in a version vector (ed25519).
	keySize = 32
	// vectorEntry is one packed version vector entry: key, big-endian seq.
	vectorEntry = keySize + 8
	// maxBatchRecords is the most records one batch may carry: the dag-cbor
	// decoder's array limit.
	maxBatchRecords = 4096
	// msgOverhead bounds the envelope of a batch message beyond its records.
	msgOverhead = 16
	// recordOverhead bounds the CBOR head of one record in a batch.
	recordOverhead = 5
	// minMessageBytes is the smallest message limit that still carries one
	// maximal record.
	minMessageBytes = crdt.MaxRecordSize + recordOverhead + msgOverhead
	// writeChunk is how much of a message one Write carries, so that the
	// idle watchdog sees progress on slow links.
	writeChunk = 64 << 10
)

// packVector encodes a version vector as its entries sorted by key, each a
// 32-byte device key followed by the seq as 8 big-endian bytes. Packed bytes
// keep a vector of any number of devices within one canonical message (the
// dag-cbor decoder bounds maps and arrays to 4096 entries).
func packVector(vv map[string]uint64) ([]byte, error) {
	keys := make([]string, 0, len(vv))
	for k := range vv {
		if len(k) != keySize {
			return nil, fmt.Errorf("recsync: version vector key of %d bytes", len(k))
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]byte, 0, len(keys)*vectorEntry)
	for _, k := range keys {
		out = append(out, k...)
		out = binary.BigEndian.AppendUint64(out, vv[k])
	}
	return out, nil
}

// unpackVector decodes a packed version vector from a peer, requiring keys
// in strictly increasing order.
func unpackVector(b []byte) (map[string]uint64, error) {
	if len(b)%vectorEntry != 0 {
		return nil, fmt.Errorf("%w: version vector of %d bytes", ErrBadPeer, len(b))
	}
	vv := make(map[string]uint64, len(b)/vectorEntry)
	var prev []byte
	for i := 0; i < len(b); i += vectorEntry {
		k := b[i : i+keySize]
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return nil, fmt.Errorf("%w: version vector keys not sorted", ErrBadPeer)
		}
		prev = k
		vv[string(k)] = binary.BigEndian.Uint64(b[i+keySize : i+vectorEntry])
	}
	return vv, nil
}

// encodeMsg returns the framed message: uvarint length, then the body.
func encodeMsg(m *msg) ([]byte, error) {
	body, err := crdt.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("recsync: encode message: %w", err)
	}
	frame := make([]byte, 0, binary.MaxVarintLen64+len(body))
	frame = binary.AppendUvarint(frame, uint64(len(body)))
	return append(frame, body...), nil
}

// errEOF reports a clean end of the peer's writes at a message boundary.
var errEOF = io.EOF

// bodyBudget accounts the buffers of the messages read: begin is told a
// message's declared length once known, reserve is asked before a body
// buffer grows by n bytes (an error ends the read), release gives bytes
// back. A nil bodyBudget accounts nothing.
type bodyBudget interface {
	begin(n int)
	reserve(n int) error
	release(n int)
}

// bodyChunk is the first size of a body buffer; it then doubles as bytes
// arrive, up to the declared length.
const bodyChunk = 16 << 10

// readMsg reads one framed message of at most max body bytes. A clean end of
// stream before a message is errEOF; anything malformed wraps ErrBadPeer.
// The body buffer grows as bytes arrive, so a peer that declares a large
// message and sends little of it holds little memory. On success it
// returns the bytes reserved from b for the message, which the caller
// releases once done with it; on failure it releases them itself.
func readMsg(r *bufio.Reader, max int, b bodyBudget) (*msg, int, error) {
	n, err := readLength(r, max)
	if err != nil {
		return nil, 0, err
	}
	if n == 0 || n > uint64(max) {
		return nil, 0, fmt.Errorf("%w: message of %d bytes (limit %d)", ErrBadPeer, n, max)
	}
	if b != nil {
		b.begin(int(n))
	}
	body, reserved, err := readBody(r, int(n), b)
	if err != nil {
		return nil, 0, err
	}
	m, err := decodeMsg(body)
	if err != nil {
		if b != nil {
			b.release(reserved)
		}
		return nil, 0, err
	}
	return m, reserved, nil
}

// readBody reads n bytes, growing its buffer as they arrive and reserving
// each growth from b first.
func readBody(r io.Reader, n int, b bodyBudget) ([]byte, int, error) {
	var buf []byte
	reserved := 0
	fail := func(err error) ([]byte, int, error) {
		if b != nil {
			b.release(reserved)
		}
		return nil, 0, err
	}
	for len(buf) < n {
		if len(buf) == cap(buf) {
			c := min(n, max(2*cap(buf), bodyChunk))
			if b != nil {
				if err := b.reserve(c - reserved); err != nil {
					return fail(err)
				}
				reserved = c
			}
			grown := make([]byte, len(buf), c)
			copy(grown, buf)
			buf = grown
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil && len(buf) < n {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fail(fmt.Errorf("recsync: read message: %w", err))
		}
	}
	return buf, reserved, nil
}

// decodeMsg decodes a message body, which must set exactly one part.
func decodeMsg(body []byte) (*msg, error) {
	m := new(msg)
	if err := crdt.Unmarshal(body, m); err != nil {
		return nil, fmt.Errorf("%w: undecodable message: %w", ErrBadPeer, err)
	}
	set := 0
	for _, part := range []bool{m.Hello != nil, m.Batch != nil, m.Done != nil, m.Error != nil} {
		if part {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("%w: message with %d parts", ErrBadPeer, set)
	}
	return m, nil
}

// readLength reads a message's uvarint length: errEOF at a clean end of
// stream, ErrBadPeer for a varint longer than 64 bits or than any length
// up to max needs.
func readLength(r io.ByteReader, max int) (uint64, error) {
	var x uint64
	var shift uint
	limit := len(binary.AppendUvarint(nil, uint64(max)))
	for i := 0; ; i++ {
		if i >= limit {
			return 0, fmt.Errorf("%w: message length over the limit of %d bytes", ErrBadPeer, max)
		}
		b, err := r.ReadByte()
		if err != nil {
			if i == 0 && errors.Is(err, io.EOF) {
				return 0, errEOF
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("recsync: read message length: %w", err)
		}
		if i == binary.MaxVarintLen64-1 && b > 1 || i >= binary.MaxVarintLen64 {
			return 0, fmt.Errorf("%w: message length overflows", ErrBadPeer)
		}
		if b < 0x80 {
			if b == 0 && i > 0 {
				return 0, fmt.Errorf("%w: message length not minimal", ErrBadPeer)
			}
			return x | uint64(b)<<shift, nil
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
}
