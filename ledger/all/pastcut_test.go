package all_test

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
)

// TestPastCutAdmit: once a store holds a device's revocation (or its
// member's removal), membership.PastCut refuses the records the device
// wrote after its cut: IngestAdmit lists them as rejected and stores
// nothing, ValidateAdmit ignores them; Ingest without the policy (a
// trusted sender) stores them, without effect. Before the exclusion is
// held, PastCut cannot know and admits them.
func TestPastCutAdmit(t *testing.T) {
	cases := []struct {
		name    string
		exclude func(f *fixture, cut uint64)
	}{
		{"revoked", func(f *fixture, cut uint64) {
			f.s.emit(f.founder, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: f.bob.key.Public().(ed25519.PublicKey), After: cut}, nil)
		}},
		{"removed", func(f *fixture, cut uint64) {
			f.s.emit(f.founder, membership.TypeRemove, membership.Remove{Member: f.bob.member.key.Public().(ed25519.PublicKey),
				Cutoffs: []membership.Cutoff{{Device: f.bob.key.Public().(ed25519.PublicKey), Seq: cut}}, Reason: "gone"}, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			held := len(f.s.raws)
			cut := f.bob.seq
			f.s.emit(f.bob, membership.TypeProfile, membership.Profile{Name: str("Thief")}, nil) // not knowing
			late := f.s.raws[held]
			c.exclude(f, cut)
			excl := f.s.raws[len(f.s.raws)-1]
			f.s.emit(f.founder, membership.TypeProfile, membership.Profile{Name: str("Founder")}, nil)
			fine := f.s.raws[len(f.s.raws)-1]

			// The late record arrives first: nothing tells yet.
			st := openStore(t)
			if _, err := st.Ingest(f.s.soc, f.s.raws[:held]); err != nil {
				t.Fatal(err)
			}
			if res, err := st.IngestAdmit(f.s.soc, [][]byte{late}, membership.PastCut); err != nil || len(res.Applied) != 1 {
				t.Fatalf("late record before the exclusion: %+v %v", res, err)
			}

			// The exclusion first: refused from an untrusted sender.
			st = f.st
			if res, err := st.Ingest(f.s.soc, [][]byte{excl}); err != nil || len(res.Applied) != 1 {
				t.Fatalf("exclusion: %+v %v", res, err)
			}
			_, n0, _ := st.State(f.s.soc)
			v, _, err := st.ValidateAdmit(f.s.soc, late, membership.PastCut)
			if v != crdt.Ignore || !errors.Is(err, crdt.ErrNotAdmitted) || !errors.Is(err, ledger.ErrRevoked) {
				t.Fatalf("ValidateAdmit of the late record: %v, %v", v, err)
			}
			res, err := st.IngestAdmit(f.s.soc, [][]byte{late, fine}, membership.PastCut)
			if err != nil || len(res.Applied) != 1 || len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, crdt.ErrNotAdmitted) ||
				!errors.Is(res.Rejected[0].Err, ledger.ErrRevoked) || !res.Rejected[0].CID.Equals(crdt.CIDOf(late)) {
				t.Fatalf("IngestAdmit of the late and a fine record: %+v %v", res, err)
			}
			if _, err := st.Record(crdt.CIDOf(late)); !errors.Is(err, crdt.ErrNotFound) {
				t.Fatalf("the refused record is stored: %v", err)
			}
			if v, _, err := st.ValidateAdmit(f.s.soc, fine, membership.PastCut); v != crdt.Accept || err != nil {
				t.Fatalf("a held record of another device: %v %v", v, err)
			}
			_, n1, _ := st.State(f.s.soc)
			if n1 != n0+1 {
				t.Fatalf("%d records, want %d", n1, n0+1)
			}
			// From a trusted sender (no policy) it is stored, taking no effect.
			if res, err := st.Ingest(f.s.soc, [][]byte{late}); err != nil || len(res.Applied) != 1 {
				t.Fatalf("late record from a trusted sender: %+v %v", res, err)
			}
			if got := bobName(t, st, f.s.soc, f.bob); got != "Bob" {
				t.Fatalf("the late record took effect: %q", got)
			}
		})
	}
}

// BenchmarkValidateAdmit: what membership.PastCut adds to the validation
// of a gossiped record (a founder's profile, not held), with and without
// exclusions held.
func BenchmarkValidateAdmit(b *testing.B) {
	cases := []struct {
		name    string
		admit   crdt.Admit
		revoked bool
	}{
		{"no policy", nil, false},
		{"PastCut, no exclusion", membership.PastCut, false},
		{"PastCut, a revocation held", membership.PastCut, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := buildFixture(b)
			if c.revoked {
				f.s.emit(f.founder, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: f.bob.key.Public().(ed25519.PublicKey), After: f.bob.seq}, nil)
				if res, err := f.st.Ingest(f.s.soc, f.s.raws[len(f.s.raws)-1:]); err != nil || len(res.Applied) != 1 {
					b.Fatalf("%+v %v", res, err)
				}
			}
			f.s.emit(f.founder, membership.TypeProfile, membership.Profile{Name: str("Founder")}, nil)
			raw := f.s.raws[len(f.s.raws)-1]
			b.ResetTimer()
			for b.Loop() {
				if v, _, err := f.st.ValidateAdmit(f.s.soc, raw, c.admit); v != crdt.Accept || err != nil {
					b.Fatalf("%v %v", v, err)
				}
			}
		})
	}
}
