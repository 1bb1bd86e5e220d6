package crdt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"runtime"
	"sync"
)

// StateHash is an order-independent digest of a society's derived views:
// SHA-256 of their LtHash (see ltHash). Peers holding the same views hold
// the same hash whatever order the records arrived in.
type StateHash [32]byte

// String returns the hash in hex.
func (h StateHash) String() string { return hex.EncodeToString(h[:]) }

// ltWords is the size of an LtHash in 64-bit words: 1024 lanes of 16 bits
// (2048 bytes), four lanes a word.
const ltWords = 256

// ltHash is a homomorphic multiset hash of the views (LtHash with 1024
// 16-bit lanes, "lthash16", as in Lewi et al., "Securing Update
// Propagation with Homomorphic Hashing", 2019, after Bellare and
// Micciancio's additive hash): each (key, value) pair is expanded to 1024
// pseudo-random lanes, and the hash is their lane-wise sum modulo 2^16.
// Adding or removing a pair is one expansion and 256 word operations, in
// any order. Finding two different sets of pairs with the same hash
// reduces to a short-vector lattice problem, unlike the earlier 256-bit
// sum of SHA-256 digests, which crafted pairs could collide.
type ltHash [ltWords]uint64

// Each lane of a word is 16 bits; h is every lane's top bit.
const ltTop = 0x8000_8000_8000_8000

// add adds x lane by lane, modulo 2^16 in each lane (SWAR: the low 15
// bits add without crossing lanes, the top bits by xor).
func (h *ltHash) add(x *ltHash) {
	for i := range h {
		a, b := h[i], x[i]
		h[i] = ((a &^ ltTop) + (b &^ ltTop)) ^ ((a ^ b) & ltTop)
	}
}

// sub subtracts x lane by lane, modulo 2^16 in each lane.
func (h *ltHash) sub(x *ltHash) {
	for i := range h {
		a, b := h[i], x[i]
		h[i] = ((a | ltTop) - (b &^ ltTop)) ^ ((a ^ ^b) & ltTop)
	}
}

// sum is the 32-byte digest that peers compare.
func (h *ltHash) sum() StateHash {
	d := sha256.New()
	d.Write([]byte("commons/state/v2\x00"))
	var b [ltWords * 8]byte
	h.put(b[:])
	d.Write(b[:])
	var s StateHash
	d.Sum(s[:0])
	return s
}

// put writes the lanes little-endian into b (ltWords*8 bytes).
func (h *ltHash) put(b []byte) {
	for i, w := range h {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
}

// get reads lanes written by put.
func (h *ltHash) get(b []byte) {
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
}

// zeros is the plaintext the expansion encrypts.
var zeros [ltWords * 8]byte

// streams keeps keystream buffers between expansions.
var streams = sync.Pool{New: func() any { return new([ltWords * 8]byte) }}

// entryDigest expands one view entry to its lanes: a SHA-256 of the
// domain-separated entry seeds AES-256 in counter mode, whose 2048-byte
// keystream is the lanes.
func entryDigest(key, val []byte) *ltHash {
	var h ltHash
	h.expand(key, val)
	return &h
}

// addEntry adds one view entry's lanes to h; subEntry removes them.
func (h *ltHash) addEntry(key, val []byte) {
	var x ltHash
	x.expand(key, val)
	h.add(&x)
}

func (h *ltHash) subEntry(key, val []byte) {
	var x ltHash
	x.expand(key, val)
	h.sub(&x)
}

// expand sets h to the lanes of one view entry.
func (h *ltHash) expand(key, val []byte) {
	d := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(key)))
	d.Write([]byte("commons/view/v2\x00"))
	d.Write(n[:])
	d.Write(key)
	d.Write(val)
	var seed [32]byte
	d.Sum(seed[:0])
	blk, err := aes.NewCipher(seed[:])
	if err != nil {
		panic(err) // unreachable: a 32-byte key is always valid
	}
	var iv [aes.BlockSize]byte
	stream := streams.Get().(*[ltWords * 8]byte)
	cipher.NewCTR(blk, iv[:]).XORKeyStream(stream[:], zeros[:])
	h.get(stream[:])
	streams.Put(stream)
}

// viewChange is a view key's value before the first change of a
// transaction and after the last (ok false: absent).
type viewChange struct{ from, to viewVal }

// change notes that view key k goes from old to val. The state hash is
// updated at commit from the key's first and last values only: a view
// changed many times in one transaction (a balance, a count) costs two
// expansions, not two per change, and the lanes of the values in between
// would cancel out anyway.
func (b *batch) change(k string, old, val viewVal) {
	if c, ok := b.changed[k]; ok {
		old = c.from
	}
	b.changed[k] = viewChange{old, val}
	b.viewCache[k] = val
}

// parallelHash is how many changed views make foldHash expand them on
// every core.
const parallelHash = 64

// foldHash adds the transaction's view changes to the state hash and
// forgets them. The expansions run on every core, each summing its share
// of the changes; lane-wise sums do not depend on order, so the hash is
// the one that changing the views one by one gives.
func (b *batch) foldHash() {
	if len(b.changed) == 0 {
		return
	}
	keys := make([]string, 0, len(b.changed))
	for k, c := range b.changed {
		if c.from.ok && c.to.ok && bytes.Equal(c.from.v, c.to.v) || !c.from.ok && !c.to.ok {
			continue
		}
		keys = append(keys, k)
	}
	fold := func(h *ltHash, keys []string) {
		var x ltHash
		for _, k := range keys {
			c := b.changed[k]
			if c.from.ok {
				x.expand([]byte(k), c.from.v)
				h.sub(&x)
			}
			if c.to.ok {
				x.expand([]byte(k), c.to.v)
				h.add(&x)
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(keys)+parallelHash-1)/parallelHash)
	if workers <= 1 {
		fold(&b.hash, keys)
	} else {
		sums := make([]ltHash, workers)
		var wg sync.WaitGroup
		per := (len(keys) + workers - 1) / workers
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fold(&sums[w], keys[min(w*per, len(keys)):min((w+1)*per, len(keys))])
			}()
		}
		wg.Wait()
		for w := range sums {
			b.hash.add(&sums[w])
		}
	}
	clear(b.changed)
}
