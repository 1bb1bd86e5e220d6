package crdt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
)

// StateHash is an order-independent digest of a society's derived views:
// the sum, modulo 2^256, of SHA-256 over every (key, value) pair. Adding or
// removing a pair updates it in constant time, so peers holding the same
// views hold the same hash whatever order the records arrived in.
type StateHash [32]byte

// String returns the hash in hex.
func (h StateHash) String() string { return hex.EncodeToString(h[:]) }

func entryDigest(key, val []byte) [4]uint64 {
	d := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(key)))
	d.Write([]byte("commons/view/v1\x00"))
	d.Write(n[:])
	d.Write(key)
	d.Write(val)
	var s [32]byte
	d.Sum(s[:0])
	return lanes(s)
}

func lanes(s [32]byte) [4]uint64 {
	return [4]uint64{
		binary.BigEndian.Uint64(s[24:]), binary.BigEndian.Uint64(s[16:]),
		binary.BigEndian.Uint64(s[8:]), binary.BigEndian.Uint64(s[:8]),
	}
}

func (h *StateHash) add(x [4]uint64) {
	a := lanes(*h)
	var c uint64
	for i := 0; i < 4; i++ {
		a[i], c = bits.Add64(a[i], x[i], c)
	}
	h.set(a)
}

func (h *StateHash) sub(x [4]uint64) {
	a := lanes(*h)
	var b uint64
	for i := 0; i < 4; i++ {
		a[i], b = bits.Sub64(a[i], x[i], b)
	}
	h.set(a)
}

func (h *StateHash) set(a [4]uint64) {
	binary.BigEndian.PutUint64(h[24:], a[0])
	binary.BigEndian.PutUint64(h[16:], a[1])
	binary.BigEndian.PutUint64(h[8:], a[2])
	binary.BigEndian.PutUint64(h[:8], a[3])
}
