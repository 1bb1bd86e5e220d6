package all_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

var fuzzTypes = []string{membership.TypeGenesis, membership.TypeInvite, membership.TypeInviteRevoke, membership.TypeJoin, membership.TypeAdmit,
	membership.TypeDevice, membership.TypeDeviceRevoke, membership.TypeProfile, membership.TypeLeave, membership.TypeRemove,
	directory.TypeListing, directory.TypeListingClose, timebank.TypeTransfer, timebank.TypeAnswer, timebank.TypeDispute,
	contrib.TypeContribution, contrib.TypeReview, membership.TypeSettings}

// FuzzValidator signs fuzzed bodies of every record type with a member's
// or a stranger's key, with fuzzed deps, so that they pass the signature
// check and reach the ledger's validator and fold. Ingest must never fail
// or panic, and the views must stay equal to a rebuild from the log.
func FuzzValidator(f *testing.F) {
	fx := newFixtureF(f)
	// Seed with the real bodies of the fixture's records.
	for _, raw := range fx.s.raws {
		r, _, err := crdt.Decode(raw)
		if err != nil {
			f.Fatal(err)
		}
		for i, typ := range fuzzTypes {
			if typ == r.Type {
				f.Add(uint8(i), r.Body, uint8(0), uint8(len(r.Deps)), false)
			}
		}
	}
	known := fx.s.cids
	f.Fuzz(func(t *testing.T, typ uint8, body []byte, dep1, dep2 uint8, stranger bool) {
		d := fx.bob
		if stranger {
			d = &simDevice{key: ed25519.NewKeyFromSeed(make([]byte, 32))}
		}
		var deps []cid.Cid
		for _, x := range []uint8{dep1, dep2} {
			if int(x) < len(known) {
				deps = append(deps, known[x])
			}
		}
		fx.s.now += 1 << 16
		rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: fx.s.soc}, Seq: 1,
			Time: crdt.HLC(fx.s.now), Type: fuzzTypes[int(typ)%len(fuzzTypes)], Body: body, Deps: crdt.SortLinks(deps)}
		if !stranger {
			rec.Seq, rec.Prev = d.seq+1, &crdt.Link{Cid: d.head}
		}
		raw, c, err := rec.Sign(d.key)
		if err != nil {
			return // shape errors are the codec's business, fuzzed elsewhere
		}
		res, err := fx.st.Ingest(fx.s.soc, [][]byte{raw})
		if err != nil {
			t.Fatalf("ingest failed: %v", err)
		}
		if len(res.Applied) == 1 && !stranger {
			d.seq, d.head = rec.Seq, c
		}
		if len(res.Applied) == 0 {
			return
		}
		h, _, _ := fx.st.State(fx.s.soc)
		if err := fx.st.Rebuild(fx.s.soc); err != nil {
			t.Fatalf("rebuild failed: %v", err)
		}
		if h2, _, _ := fx.st.State(fx.s.soc); h2 != h {
			t.Fatalf("incremental views %s differ from rebuilt %s after %s", h, h2, rec.Type)
		}
	})
}

// newFixtureF is newFixture for a fuzz target.
func newFixtureF(f *testing.F) *fixture { return buildFixture(f) }
