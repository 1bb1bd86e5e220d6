package crdt

import (
	"crypto/ed25519"
	"testing"
)

// TestSigBatchExpandedKeys: a batch verifier fed expanded keys from the
// cache accepts exactly the signatures that one-at-a-time ZIP-215
// verification accepts, on a cold and on a warm cache, for valid
// signatures, wrong messages and signatures, another key, a key that does
// not decompress and a small-order key.
func TestSigBatchExpandedKeys(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	p1, p2 := []byte(k1.Public().(ed25519.PublicKey)), []byte(k2.Public().(ed25519.PublicKey))
	msg := []byte("a record's signing bytes")
	sig1 := ed25519.Sign(k1, msg)
	sig2 := ed25519.Sign(k2, msg)
	bent := append([]byte{}, sig1...)
	bent[5] ^= 1
	// y = 2 is not on the curve; the identity (y = 1) has small order.
	undecodable := append([]byte{2}, make([]byte, 31)...)
	smallOrder := append([]byte{1}, make([]byte, 31)...)
	cases := []struct {
		name          string
		pub, msg, sig []byte
	}{
		{"valid", p1, msg, sig1},
		{"valid, other key", p2, msg, sig2},
		{"other message", p1, []byte("another"), sig1},
		{"bent signature", p1, msg, bent},
		{"another key's signature", p1, msg, sig2},
		{"key off the curve", undecodable, msg, sig1},
		{"small-order key", smallOrder, msg, sig1},
	}
	for _, warm := range []bool{false, true} {
		if !warm {
			expandedKeys.mu.Lock()
			clear(expandedKeys.m)
			expandedKeys.mu.Unlock()
		}
		b := newSigBatch(len(cases))
		for _, c := range cases {
			b.add(c.pub, c.msg, c.sig)
		}
		got := b.verify()
		for i, c := range cases {
			if want := verifySig(c.pub, c.msg, c.sig); got[i] != want {
				t.Errorf("warm %v, %s: batch says %v, one at a time %v", warm, c.name, got[i], want)
			}
		}
		if !got[0] || !got[1] || got[2] || got[3] {
			t.Errorf("warm %v: verdicts %v", warm, got)
		}
	}
	expandedKeys.mu.Lock()
	_, bad := expandedKeys.m[string(undecodable)]
	expandedKeys.mu.Unlock()
	if bad {
		t.Error("a key that does not decompress was cached")
	}
}
