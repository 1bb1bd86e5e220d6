package all_test

import (
	"testing"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
)

// BenchmarkGovernanceFrontEnd measures the queries the app's governance
// screen and home add to a load, in the society of
// BenchmarkGovernanceCount (10,000 members, 2,000 council-wide
// delegations, 12 root proposals):
//
// delegations is gov.Delegations for the root council (the Delegation
// tab, `delegation list`);
// mayvote is one Counter.MayVote for each of the 12 proposals with one
// counter (what ProposalList adds for home's waiting votes).
//
//	go test -run '^$' -bench BenchmarkGovernanceFrontEnd -benchtime 10x -benchmem ./ledger/all/
func BenchmarkGovernanceFrontEnd(b *testing.B) {
	bs := newBenchSociety(b)
	now := crdt.HLC(bs.f.s.now).Millis()
	view := func(b *testing.B, fn func(r *crdt.Reader) error) {
		if err := bs.f.st.View(bs.f.s.soc, fn); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("delegations", func(b *testing.B) {
		var n int
		cpu := cpuTime()
		for b.Loop() {
			view(b, func(r *crdt.Reader) error {
				ds, err := gov.Delegations(r, gov.Root, now)
				n = len(ds)
				return err
			})
		}
		reportCPU(b, cpuTime()-cpu)
		if n != benchDelegators {
			b.Fatalf("%d delegations, want %d", n, benchDelegators)
		}
	})
	b.Run("mayvote", func(b *testing.B) {
		member := memberKey(bs.devs[len(bs.devs)-1].member)
		var may int
		cpu := cpuTime()
		for b.Loop() {
			may = 0
			view(b, func(r *crdt.Reader) error {
				c, err := gov.NewCounter(r, now)
				if err != nil {
					return err
				}
				for _, p := range bs.proposals {
					pv, _, err := gov.ProposalByID(r, p)
					if err != nil {
						return err
					}
					ok, err := c.MayVote(pv, member)
					if err != nil {
						return err
					}
					if ok {
						may++
					}
				}
				return nil
			})
		}
		reportCPU(b, cpuTime()-cpu)
		if may != len(bs.proposals) {
			b.Fatalf("may vote on %d of %d proposals", may, len(bs.proposals))
		}
	})
}
