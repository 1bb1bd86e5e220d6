package crdt

import (
	"crypto/rand"
	"sync"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Signatures are checked with ZIP-215 rules, in batches where records come
// in batches. ZIP-215 makes single and batch verification accept exactly
// the same signatures, so whether a record is valid never depends on the
// batch it arrived in: every peer decides alike. Signatures made by
// crypto/ed25519 (as the node makes them) are valid under these rules.
var verifyOptions = &voi.Options{Verify: voi.VerifyOptionsZIP_215}

// verifySig checks one signature.
func verifySig(pub, msg, sig []byte) bool {
	if len(pub) != voi.PublicKeySize {
		return false
	}
	return voi.VerifyWithOptions(voi.PublicKey(pub), msg, sig, verifyOptions)
}

// sigBatch verifies many signatures at once (about 2.4 times cheaper per
// signature than one at a time), telling which ones fail.
type sigBatch struct {
	bv *voi.BatchVerifier
	n  int
}

func newSigBatch(capacity int) *sigBatch {
	return &sigBatch{bv: voi.NewBatchVerifierWithCapacity(capacity)}
}

// add queues a signature; keys of the wrong length are never added (the
// envelope check rejects them first). A key seen lately is added in its
// expanded form from expandedKeys, which the batch verifier would
// otherwise compute again for every signature (the same few devices sign
// most records of a batch).
func (b *sigBatch) add(pub, msg, sig []byte) {
	if k := expandedKeys.get(pub); k != nil {
		b.bv.AddExpandedWithOptions(k, msg, sig, verifyOptions)
	} else {
		b.bv.AddWithOptions(voi.PublicKey(pub), msg, sig, verifyOptions)
	}
	b.n++
}

// maxExpandedKeys bounds expandedKeys (about 1.5 KiB a key).
const maxExpandedKeys = 2048

// keyCache holds expanded public keys by their bytes. An expanded key
// carries the same validity facts the verifier derives from the plain
// key, so a signature is accepted with it exactly when it is without.
type keyCache struct {
	mu sync.Mutex
	m  map[string]*voi.ExpandedPublicKey
}

// expandedKeys is shared by every store of the process: keys are public.
var expandedKeys = &keyCache{m: make(map[string]*voi.ExpandedPublicKey)}

// get returns pub expanded, or nil when it does not expand (the verifier
// then rejects it from the plain bytes). Keys that fail are not kept, and
// the cache starts over when full.
func (c *keyCache) get(pub []byte) *voi.ExpandedPublicKey {
	c.mu.Lock()
	k, ok := c.m[string(pub)]
	c.mu.Unlock()
	if ok {
		return k
	}
	k, err := voi.NewExpandedPublicKey(voi.PublicKey(pub))
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if len(c.m) >= maxExpandedKeys {
		clear(c.m)
	}
	c.m[string(pub)] = k
	c.mu.Unlock()
	return k
}

// verify returns, per queued signature in order, whether it is valid.
func (b *sigBatch) verify() []bool {
	if b.n == 0 {
		return nil
	}
	_, valid := b.bv.Verify(rand.Reader)
	return valid
}
