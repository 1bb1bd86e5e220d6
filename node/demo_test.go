package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	if err := Demo(home, []byte(DemoPassphrase), func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	if !IsDemo(home) {
		t.Fatal("the demo home is not marked")
	}
	if err := Demo(home, []byte(DemoPassphrase), nil); !errors.Is(err, ErrHomeInUse) {
		t.Fatalf("Demo on a filled home: %v, want ErrHomeInUse", err)
	}

	// The app opens the demo at the time it was made.
	d := NewDesktop(home, DesktopConfig{Offline: true, Node: Options{Now: func() time.Time { return now }}})
	t.Cleanup(func() { d.Close() })
	if err := d.Unlock([]byte(DemoPassphrase)); err != nil {
		t.Fatal(err)
	}
	api := d.API()
	st, err := api.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Member.Name != "Ann" || len(st.Societies) != 1 {
		t.Fatalf("status %+v", st)
	}
	soc := st.Societies[0]
	if soc.Name != DemoSociety || soc.Me != "founder" || soc.Members != 5 || soc.Forks != 0 || st.Pending != 0 {
		t.Fatalf("society %+v, %d records parked", soc, st.Pending)
	}
	// The other members hold Ann's records, and the app (a new process)
	// knows it.
	if soc.Unshared != 0 {
		t.Errorf("%d of Ann's records count as unshared, want 0", soc.Unshared)
	}

	ms, err := api.Members(SocietyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
		if m.Bio == "" || len(m.Skills) == 0 {
			t.Errorf("%s has no profile: %+v", m.Name, m)
		}
	}
	slices.Sort(names)
	if want := []string{"Ann", "Ben", "Cleo", "Dev", "Eli"}; !slices.Equal(names, want) {
		t.Fatalf("members %v, want %v", names, want)
	}

	bal, err := api.Balance(BalanceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if bal.Minutes != DemoAnnMinutes {
		t.Errorf("Ann's balance %d minutes, want %d", bal.Minutes, DemoAnnMinutes)
	}
	var sum int64
	for _, acct := range append(names, CommunityAccount) {
		b, err := api.Balance(BalanceRequest{Member: acct})
		if err != nil {
			t.Fatal(err)
		}
		sum += b.Minutes
	}
	if sum != 0 {
		t.Errorf("balances sum to %d minutes", sum)
	}

	pend, err := api.PendingTransfers(SocietyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 1 || pend[0].ProposerName != "Ben" || pend[0].Minutes != -120 {
		t.Fatalf("pending %+v, want Ben's 2 h of carpentry", pend)
	}
	ts, err := api.Transfers(TransfersRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	var group, disputed bool
	for _, tr := range ts {
		group = group || len(tr.Legs) > 1
		for _, l := range tr.Legs {
			states[l.State]++
			disputed = disputed || len(l.Disputes) > 0
		}
	}
	if states[StateConfirmed] < 10 || states[StateRejected] != 1 || states[StatePending] != 1 || !group || !disputed {
		t.Errorf("Ann's transfers: legs by state %v, group session %v, disputed %v", states, group, disputed)
	}
	comm, err := api.Balance(BalanceRequest{Member: CommunityAccount})
	if err != nil {
		t.Fatal(err)
	}
	if comm.Minutes != 60 {
		t.Errorf("the community account holds %d minutes, want the 60 donated", comm.Minutes)
	}

	cs, err := api.Contributions(ContributionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	reviews := 0
	for _, c := range cs {
		reviews += len(c.Reviews)
	}
	if len(cs) != 5 || reviews != 10 {
		t.Errorf("%d contributions with %d reviews, want 5 with 10", len(cs), reviews)
	}
	offers, err := api.Listings(ListingsRequest{Kind: KindOffer})
	if err != nil {
		t.Fatal(err)
	}
	requests, err := api.Listings(ListingsRequest{Kind: KindRequest})
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != 8 || len(requests) != 3 {
		t.Errorf("%d offers and %d requests, want 8 and 3", len(offers), len(requests))
	}
	demoGovernance(t, api)

	// The story happened before now.
	for _, tr := range ts {
		if tm, err := time.Parse(time.RFC3339, tr.Time); err != nil || !tm.Before(now) {
			t.Errorf("transfer time %q (%v), want before %v", tr.Time, err, now)
		}
	}
}

func TestDemoRefusesHomeWithIdentity(t *testing.T) {
	home, _ := initHome(t, "Zoe")
	if err := Demo(home, []byte(DemoPassphrase), nil); !errors.Is(err, ErrHomeInUse) {
		t.Fatalf("Demo on a home with an identity: %v, want ErrHomeInUse", err)
	}
	if IsDemo(home) {
		t.Fatal("a refused home was marked as a demo")
	}
	pub, err := LoadPublic(Paths{Home: home})
	if err != nil || pub.Name != "Zoe" {
		t.Fatalf("the existing identity was touched: %+v, %v", pub, err)
	}
	if _, err := os.Stat(filepath.Join(home, "store")); err == nil {
		t.Fatal("a refused demo wrote a store")
	}
}

// demoGovernance checks the demo's councils and proposals: two councils
// made by a passed proposal, and proposals in every state over several
// methods, with the results the story's votes give.
func demoGovernance(t testing.TB, api API) {
	t.Helper()
	cs, err := api.CouncilList(SocietyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var councils []string
	for _, c := range cs {
		councils = append(councils, fmt.Sprintf("%s/%s/%s/%d", c.Name, c.Kind, c.Membership, len(c.Members)))
	}
	if want := []string{"Society/general/open/0", DemoWorkersCouncil + "/workers/open/5", DemoConsumersCouncil + "/consumers/open/3"}; !slices.Equal(councils, want) {
		t.Errorf("councils %v, want %v", councils, want)
	}
	ps, err := api.ProposalList(ProposalsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		method, status string
		passed         bool
		winners        string
		ballots        int
	}
	byTitle := map[string]got{}
	for _, p := range ps {
		g := got{p.Method, p.Status, p.Passed, strings.Join(p.Winners, ","), p.Ballots}
		if p.Ballots == 0 {
			g.winners = "" // a count without ballots names options by their order
		}
		byTitle[p.Title] = g
		if p.Provisional != (p.Status != ProposalFinal) {
			t.Errorf("%q: provisional %v with status %s", p.Title, p.Provisional, p.Status)
		}
	}
	for title, want := range map[string]got{
		"Set up a workers' council and a consumers' council":   {MethodConsent, ProposalFinal, true, "", 4},
		"Hold the street party on Sundays":                     {MethodYesNo, ProposalFinal, false, "", 5},
		"Which tool does the tool library buy first?":          {MethodIRV, ProposalFinal, false, "Lawn mower", 5},
		"Spend the garden fund":                                {MethodBudgetMES, ProposalFinal, false, "Seeds,Compost bins", 5},
		"Rate the new Saturday breads":                         {MethodScore, ProposalClosing, false, "Sourdough", 3},
		"Where should the new trees go?":                       {MethodQuadratic, ProposalOpen, false, "School yard", 2},
		"Open the tool shed on Sunday mornings":                {MethodConsent, ProposalOpen, false, "", 2},
		"What should the workers' council take on this month?": {MethodDots, ProposalOpen, false, "Repair café", 1},
		"Elect the street committee":                           {MethodSTV, ProposalScheduled, false, "", 0},
	} {
		if g, ok := byTitle[title]; !ok || g != want {
			t.Errorf("%q: %+v, want %+v", title, g, want)
		}
	}
	if len(ps) != 9 {
		t.Errorf("%d proposals, want 9", len(ps))
	}
	// Eli's vote on the street party is carried by Ann; the tool vote
	// takes three rounds.
	for _, p := range ps {
		d, err := api.ProposalShow(ProposalIDRequest{ID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		switch r := d.Result; p.Method {
		case MethodYesNo:
			if len(r.Carried) != 1 || r.YesNo.Yes != 2 || r.YesNo.No != 3 || !r.YesNo.QuorumMet {
				t.Errorf("street party: carried %v, count %+v", r.Carried, r.YesNo)
			}
		case MethodIRV:
			if len(r.Ranked.Rounds) != 3 {
				t.Errorf("tool vote: rounds %+v", r.Ranked.Rounds)
			}
		}
	}
}
