package p2p

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/all"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// testSociety is a real signed society: a founder (member and device
// keys), its genesis, and the founder's chain of profile records.
type testSociety struct {
	member, device ed25519.PrivateKey
	soc            cid.Cid
	seq            uint64
	head           cid.Cid
	now            uint64
	raws           [][]byte // the records every store starts with
}

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newTestSociety(t testing.TB) *testSociety {
	t.Helper()
	s := &testSociety{member: newKey(t), device: newKey(t), now: uint64(time.Now().UnixMilli())}
	g := membership.Genesis{Name: "Gossip Society", Settings: membership.DefaultSettings(),
		Cert:  identity.Certify(s.member, s.device.Public().(ed25519.PublicKey)),
		Nonce: []byte{7}, Founder: "founder"}
	body, err := crdt.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	rec := &crdt.Record{Version: crdt.FormatVersion, Seq: 1, Time: crdt.MakeHLC(s.now, 0), Type: membership.TypeGenesis, Body: body}
	raw, c, err := rec.Sign(s.device)
	if err != nil {
		t.Fatal(err)
	}
	s.soc, s.seq, s.head = c, 1, c
	s.raws = append(s.raws, raw)
	s.raws = append(s.raws, s.next(t, "Founder"))
	return s
}

// next signs the founder's next record (a profile edit) and advances the
// chain; the record is not stored anywhere.
func (s *testSociety) next(t testing.TB, name string) []byte {
	t.Helper()
	body, err := crdt.Marshal(membership.Profile{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	s.now++
	rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: s.soc}, Seq: s.seq + 1,
		Prev: &crdt.Link{Cid: s.head}, Time: crdt.MakeHLC(s.now, 0), Type: membership.TypeProfile, Body: body}
	raw, c, err := rec.Sign(s.device)
	if err != nil {
		t.Fatal(err)
	}
	s.seq, s.head = s.seq+1, c
	return raw
}

// store opens a store holding the society's starting records.
func (s *testSociety) store(t testing.TB) *crdt.Store {
	t.Helper()
	st, err := crdt.Open(crdt.Config{Dir: t.TempDir()}, all.New())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	res, err := st.Ingest(s.soc, s.raws)
	if err != nil || len(res.Applied) != len(s.raws) {
		t.Fatalf("seed store: %+v %v", res, err)
	}
	return st
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

func held(st *crdt.Store, raw []byte) bool {
	_, err := st.Record(crdt.CIDOf(raw))
	return err == nil
}
