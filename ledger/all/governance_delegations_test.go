package all_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
)

// TestDelegationsInEffect: the delegations listed are those the count
// follows, step by step: a council-wide and a topic delegation, a topic
// delegation replaced, a revoked topic delegation (the council-wide one
// stands) and a revoked council-wide one; the list is ordered by
// delegator, then topic.
func TestDelegationsInEffect(t *testing.T) {
	f := newGovFixture(t)
	keys := map[string][]byte{"founder": f.key(f.founder), "bob": f.key(f.bob), "carol": f.key(f.carol)}
	devs := map[string]*simDevice{"founder": f.founder, "bob": f.bob, "carol": f.carol}
	who := map[string]string{}
	for n, k := range keys {
		who[hexID(k)] = n
	}
	list := func(t *testing.T) string {
		t.Helper()
		var ds, behind []gov.DelegationInEffect
		if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
			var err error
			if ds, err = gov.Delegations(r, gov.Root, f.ms()); err != nil {
				return err
			}
			// A wall clock behind the records' clocks lists the same.
			behind, err = gov.Delegations(r, gov.Root, f.ms()-3600_000)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ds) != fmt.Sprint(behind) {
			t.Fatalf("with the clock an hour behind: %+v, want %+v", behind, ds)
		}
		var out []string
		for i, d := range ds {
			if i > 0 && (ds[i-1].From > d.From || ds[i-1].From == d.From && ds[i-1].Topic >= d.Topic) {
				t.Fatalf("out of order: %+v before %+v", ds[i-1], d)
			}
			if d.Council != gov.Root || d.ID == "" || d.Since == 0 || d.Since > f.ms() {
				t.Fatalf("delegation %+v", d)
			}
			out = append(out, fmt.Sprintf("%s>%s:%s", who[d.From], who[d.To], d.Topic))
		}
		return strings.Join(out, " ")
	}
	type step struct {
		from, to, topic string
	}
	for i, c := range []struct {
		step step
		want string
	}{
		{step{"carol", "bob", ""}, "carol>bob:"},
		{step{"carol", "founder", "parks"}, "carol>bob: carol>founder:parks"},
		{step{"bob", "carol", "parks"}, "carol>bob: carol>founder:parks bob>carol:parks"},
		{step{"carol", "bob", "parks"}, "carol>bob: carol>bob:parks bob>carol:parks"},
		{step{"carol", "", "parks"}, "carol>bob: bob>carol:parks"},
		{step{"carol", "", ""}, "bob>carol:parks"},
		{step{"founder", "carol", ""}, "bob>carol:parks founder>carol:"},
	} {
		s := c.step
		d := gov.Delegation{Council: gov.Root, Topic: s.topic}
		if s.to != "" {
			d.To = keys[s.to]
		}
		f.exact(t, devs[s.from], gov.TypeDelegate, d)
		f.advance(1000)
		got := list(t)
		// Ordered by key, not by name: compare as sets.
		if !sameLines(got, c.want) {
			t.Fatalf("step %d (%+v): delegations %q, want %q", i+1, s, got, c.want)
		}
	}
	// The list agrees with the count: a proposal on "parks" put now
	// carries Bob's vote to Carol, and the founder's to Carol.
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority(), Topic: "parks"})
	f.vote(t, f.carol, p, gov.Vote{Choice: "yes"})
	res := f.count(t, p, f.ms())
	for _, n := range []string{"bob", "founder"} {
		if b, ok := ballotOf(res, keys[n]); !ok || b.Via != hexID(keys["carol"]) {
			t.Fatalf("%s's counted ballot %+v (found %v), want via Carol", n, b, ok)
		}
	}
}

// sameLines compares two space-separated lists as sets.
func sameLines(a, b string) bool {
	as, bs := strings.Fields(a), strings.Fields(b)
	if len(as) != len(bs) {
		return false
	}
	seen := map[string]int{}
	for _, x := range as {
		seen[x]++
	}
	for _, x := range bs {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}
