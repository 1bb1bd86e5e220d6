package crdt

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// FormatVersion is the only record envelope version this code reads and writes.
const FormatVersion = 1

// Limits on a record.
const (
	// MaxBodySize is the largest body a record may carry.
	MaxBodySize = 64 << 10
	// MaxRecordSize bounds a whole encoded record (body plus envelope).
	MaxRecordSize = MaxBodySize + 8<<10
	// MaxDeps bounds the number of dependencies of a record.
	MaxDeps = 64
	// MaxTypeLen bounds the length of a record type name.
	MaxTypeLen = 32
)

// Errors returned by Decode and the Log, each for its own kind of bad input.
var (
	ErrMalformed    = errors.New("crdt: malformed record")
	ErrNonCanonical = errors.New("crdt: record is not canonical dag-cbor")
	ErrVersion      = errors.New("crdt: unknown record format version")
	ErrTooLarge     = errors.New("crdt: record too large")
	ErrBadSignature = errors.New("crdt: bad record signature")
	ErrCIDMismatch  = errors.New("crdt: record does not match its CID")
	ErrWrongSociety = errors.New("crdt: record belongs to another society")
	ErrBadChain     = errors.New("crdt: record breaks its device chain")
	ErrBadClock     = errors.New("crdt: record time does not follow its predecessors")
	ErrCorrupt      = errors.New("crdt: stored data is corrupt")
)

// Record is the signed envelope every society record travels in. Its
// canonical encoding is dag-cbor; the signature covers the canonical bytes of
// every other field.
type Record struct {
	// Version is the envelope format version (FormatVersion).
	Version uint64 `cbor:"v"`
	// Society is the society ID (the genesis CID); absent on the genesis record.
	Society *Link `cbor:"s,omitempty"`
	// Author is the ed25519 public key of the device that signed the record.
	Author []byte `cbor:"a"`
	// Seq numbers the author's records in this society: 1, 2, ...
	Seq uint64 `cbor:"n"`
	// Prev is the CID of the author's record Seq-1; absent when Seq is 1.
	Prev *Link `cbor:"p,omitempty"`
	// Deps are the CIDs of records this one refers to or must follow, sorted.
	Deps []Link `cbor:"d,omitempty"`
	// Time is a hybrid logical clock reading, greater than that of Prev and Deps.
	Time HLC `cbor:"t"`
	// Type names the record's kind; the domain decides what it means.
	Type string `cbor:"y"`
	// Body is the type-specific payload, itself canonical dag-cbor.
	Body []byte `cbor:"b"`
	// Sig is the author's signature over the canonical bytes of the rest.
	Sig []byte `cbor:"g,omitempty"`
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
	// viewMode decodes views, which the store itself wrote: fields the
	// target does not have are skipped, so a query may read part of one.
	viewMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.EncOptions{
		Sort:          cbor.SortLengthFirst,
		IndefLength:   cbor.IndefLengthForbidden,
		NilContainers: cbor.NilContainerAsNull,
		TagsMd:        cbor.TagsAllowed,
	}.EncMode()
	if err != nil {
		panic(err)
	}
	decOpts := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsAllowed,
		MaxNestedLevels:   16,
		MaxArrayElements:  4096,
		MaxMapPairs:       4096,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		DefaultMapType:    reflect.TypeOf(map[string]any{}),
	}
	decMode, err = decOpts.DecMode()
	if err != nil {
		panic(err)
	}
	viewOpts := decOpts
	viewOpts.ExtraReturnErrors = cbor.ExtraDecErrorNone
	if viewMode, err = viewOpts.DecMode(); err != nil {
		panic(err)
	}
}

// Marshal encodes v as canonical dag-cbor (map keys sorted length-first,
// definite lengths, minimal integers).
func Marshal(v any) ([]byte, error) {
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("crdt: encode: %w", err)
	}
	return b, nil
}

// Unmarshal decodes canonical dag-cbor into v, rejecting unknown fields,
// duplicate keys, indefinite lengths and any encoding that is not the
// canonical one for the decoded value.
func Unmarshal(data []byte, v any) error {
	if err := decMode.Unmarshal(data, v); err != nil {
		if errors.Is(err, ErrNonCanonical) || errors.Is(err, ErrMalformed) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, data) {
		return ErrNonCanonical
	}
	return nil
}

// UnmarshalView decodes a view value, which the store wrote canonically
// itself, into v: without Unmarshal's re-encoding check, and skipping the
// fields v does not have, so a query may decode only what it reads.
func UnmarshalView(data []byte, v any) error {
	if err := viewMode.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// signingDomain separates record signatures from every other use of a key.
var signingDomain = []byte("commons/record/v1\x00")

// SigningBytes returns the bytes the author signs: a domain prefix and the
// canonical encoding of the record without its signature.
func (r *Record) SigningBytes() ([]byte, error) {
	c := *r
	c.Sig = nil
	b, err := Marshal(&c)
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, signingDomain...), b...), nil
}

// signingBytesOf returns the signing bytes of r, decoded from raw by
// decodeUnverified, cut out of raw rather than encoded again: raw is r's
// canonical encoding (Unmarshal checked it is), so r without its signature
// encodes as the same map less its "g" entry, with a count one lower. When
// raw does not have that shape, r is encoded again.
func signingBytesOf(raw []byte, r *Record) ([]byte, error) {
	if len(raw) == 0 || raw[0] < 0xa2 || raw[0] > 0xb7 {
		return r.SigningBytes() // not a map of 2 to 23 entries
	}
	off := 1
	for range int(raw[0] & 31) {
		start := off
		_, kl, err := viewItem(raw[off:])
		if err != nil {
			return r.SigningBytes()
		}
		key := raw[off : off+kl]
		off += kl
		_, vl, err := viewItem(raw[off:])
		if err != nil {
			return r.SigningBytes()
		}
		off += vl
		if len(key) == 2 && key[0] == 0x61 && key[1] == 'g' { // the text "g"
			out := make([]byte, 0, len(signingDomain)+len(raw)-(off-start))
			out = append(out, signingDomain...)
			out = append(out, raw[0]-1)
			out = append(out, raw[1:start]...)
			return append(out, raw[off:]...), nil
		}
	}
	return r.SigningBytes()
}

// Sign fills Sig with the device key's signature and returns the record's
// canonical bytes and CID.
func (r *Record) Sign(device ed25519.PrivateKey) ([]byte, cid.Cid, error) {
	r.Author = append([]byte{}, device.Public().(ed25519.PublicKey)...)
	if err := r.checkShape(); err != nil {
		return nil, cid.Undef, err
	}
	msg, err := r.SigningBytes()
	if err != nil {
		return nil, cid.Undef, err
	}
	r.Sig = ed25519.Sign(device, msg)
	b, err := Marshal(r)
	if err != nil {
		return nil, cid.Undef, err
	}
	if len(b) > MaxRecordSize {
		return nil, cid.Undef, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	return b, CIDOf(b), nil
}

// CIDOf returns the CIDv1 (dag-cbor, sha2-256) of encoded bytes.
func CIDOf(data []byte) cid.Cid {
	sum := sha256.Sum256(data)
	h, err := mh.Encode(sum[:], mh.SHA2_256)
	if err != nil {
		panic(err) // cannot happen: fixed code and length
	}
	return cid.NewCidV1(cid.DagCBOR, h)
}

// checkShape validates the envelope fields that need no other record.
func (r *Record) checkShape() error {
	switch {
	case r.Version != FormatVersion:
		return fmt.Errorf("%w: %d", ErrVersion, r.Version)
	case len(r.Body) > MaxBodySize:
		return fmt.Errorf("%w: body of %d bytes exceeds %d", ErrTooLarge, len(r.Body), MaxBodySize)
	case len(r.Author) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: author key of %d bytes", ErrMalformed, len(r.Author))
	case r.Seq == 0:
		return fmt.Errorf("%w: seq 0", ErrMalformed)
	case r.Seq == 1 && r.Prev != nil:
		return fmt.Errorf("%w: first record has a prev", ErrMalformed)
	case r.Seq > 1 && r.Prev == nil:
		return fmt.Errorf("%w: record %d has no prev", ErrMalformed, r.Seq)
	case len(r.Deps) > MaxDeps:
		return fmt.Errorf("%w: %d deps", ErrTooLarge, len(r.Deps))
	case r.Type == "" || len(r.Type) > MaxTypeLen:
		return fmt.Errorf("%w: type %q", ErrMalformed, r.Type)
	case r.Time == 0:
		return fmt.Errorf("%w: zero time", ErrMalformed)
	}
	for i := 1; i < len(r.Deps); i++ {
		if bytes.Compare(r.Deps[i-1].Bytes(), r.Deps[i].Bytes()) >= 0 {
			return fmt.Errorf("%w: deps not sorted or repeated", ErrMalformed)
		}
	}
	return nil
}

// SortLinks sorts CIDs into the order Deps requires and drops repeats.
func SortLinks(cs []cid.Cid) []Link {
	out := make([]Link, 0, len(cs))
	for _, c := range cs {
		out = append(out, Link{c})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && bytes.Compare(out[j-1].Bytes(), out[j].Bytes()) > 0; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	w := 0
	for i := range out {
		if w > 0 && out[w-1].Equals(out[i].Cid) {
			continue
		}
		out[w] = out[i]
		w++
	}
	return out[:w]
}

// Decode parses and fully checks an encoded record: size, canonical form,
// version, envelope shape and signature. It returns the record and its CID.
func Decode(data []byte) (*Record, cid.Cid, error) {
	if len(data) > MaxRecordSize {
		return nil, cid.Undef, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	r, err := decodeUnverified(data)
	if err != nil {
		return nil, cid.Undef, err
	}
	msg, err := signingBytesOf(data, r)
	if err != nil {
		return nil, cid.Undef, err
	}
	if !verifySig(r.Author, msg, r.Sig) {
		return nil, cid.Undef, ErrBadSignature
	}
	return r, CIDOf(data), nil
}

// DecodeAs is Decode plus a check that the bytes hash to want.
func DecodeAs(data []byte, want cid.Cid) (*Record, error) {
	r, got, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if !got.Equals(want) {
		return nil, fmt.Errorf("%w: got %s, want %s", ErrCIDMismatch, got, want)
	}
	return r, nil
}

// decodeUnverified decodes and shape-checks without the signature check.
func decodeUnverified(data []byte) (*Record, error) {
	r := new(Record)
	if err := Unmarshal(data, r); err != nil {
		// A version mismatch deserves its own error even if other fields differ.
		var probe struct {
			V uint64 `cbor:"v"`
		}
		if cbor.Unmarshal(data, &probe) == nil && probe.V != FormatVersion {
			return nil, fmt.Errorf("%w: %d", ErrVersion, probe.V)
		}
		return nil, err
	}
	if err := r.checkShape(); err != nil {
		return nil, err
	}
	if len(r.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature of %d bytes", ErrBadSignature, len(r.Sig))
	}
	return r, nil
}
