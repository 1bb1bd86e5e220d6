package all_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/all"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
)

// TestModulesRegister checks that every record type of the society is
// registered, by exactly one module.
func TestModulesRegister(t *testing.T) {
	var got []string
	for _, m := range all.New().Modules() {
		for _, rt := range m.Types {
			got = append(got, rt.Name)
		}
	}
	want := []string{membership.TypeGenesis, membership.TypeInvite, membership.TypeInviteRevoke, membership.TypeJoin,
		membership.TypeAdmit, membership.TypeDevice, membership.TypeDeviceRevoke, membership.TypeProfile,
		membership.TypeSettings, membership.TypeLeave, membership.TypeRemove,
		timebank.TypeTransfer, timebank.TypeAnswer, timebank.TypeDispute,
		contrib.TypeContribution, contrib.TypeReview, directory.TypeListing, directory.TypeListingClose,
		governance.TypeProposal, governance.TypeVote, governance.TypeDelegate, governance.TypeClose, governance.TypeRoll,
		governance.TypeCouncilJoin, governance.TypeCouncilLeave}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("registered types %v, want %v", got, want)
	}
}

// TestInvariantsHoldAfterRandomHistory delivers a random society's records
// (forks, revocations, departures, invalid records included) in a causal
// shuffle and checks every module's invariants, before and after a rebuild.
func TestInvariantsHoldAfterRandomHistory(t *testing.T) {
	s := newSim(4)
	s.run(600)
	st := openStore(t)
	deliver(t, st, s, causalOrder(s, rand.New(rand.NewPCG(4, 7))), rand.New(rand.NewPCG(4, 8)))
	l := all.New()
	check := func(when string) {
		if err := st.View(s.soc, func(r *crdt.Reader) error { return l.CheckInvariants(r) }); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
	check("incremental")
	if err := st.Rebuild(s.soc); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}
