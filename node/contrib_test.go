package node

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/reputation"
	"github.com/commons-society/commons/ledger/timebank"
)

// stepClock is a wall clock shared by a test's peers: each reading is a
// millisecond after the one before, so records are ordered by when they
// were written, until hold stops it.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	held bool
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		c.t = c.t.Add(time.Millisecond)
	}
	return c.t
}

// hold stops the clock, so that answers computed "as of now" repeat.
func (c *stepClock) hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = true
}

// contribDay is the day of the tests' clock.
const contribDay = "2026-03-14"

// foundAt is found with the peers sharing a step clock that starts at
// noon UTC on contribDay.
func foundAt(t testing.TB, names ...string) (string, []*peer, *stepClock) {
	t.Helper()
	clock := &stepClock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	ps := make([]*peer, len(names))
	for i, name := range names {
		ps[i] = newPeer(t, name, Options{Now: clock.now})
	}
	s, err := ps[0].CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps[1:] {
		admit(t, ps[0], p, s.ID)
	}
	for _, p := range ps[1:] {
		p.pull(t, ps[0], s.ID)
	}
	sameState(t, s.ID, ps...)
	return s.ID, ps, clock
}

// contribWorld is a society of Alice (the founder), Bob and Carol.
type contribWorld struct {
	soc   string
	ps    map[string]*peer
	all   []*peer
	clock *stepClock
}

func newContribWorld(t testing.TB) *contribWorld {
	t.Helper()
	names := []string{"Alice", "Bob", "Carol"}
	soc, ps, clock := foundAt(t, names...)
	w := &contribWorld{soc: soc, ps: map[string]*peer{}, all: ps, clock: clock}
	for i, n := range names {
		w.ps[n] = ps[i]
	}
	return w
}

func (w *contribWorld) id(name string) string { return w.ps[name].id.MemberID() }

func (w *contribWorld) sync(t testing.TB) {
	t.Helper()
	syncAll(t, w.soc, w.all...)
	sameState(t, w.soc, w.all...)
}

// add has by record a contribution, checks the answer against the
// request, and syncs every peer.
func (w *contribWorld) add(t testing.TB, by string, req ContributionRequest) *ContributionInfo {
	t.Helper()
	req.Society = w.soc
	ci, err := w.ps[by].AddContribution(req)
	if err != nil {
		t.Fatalf("%s adds %+v: %v", by, req, err)
	}
	if !strings.HasPrefix(ci.ID, "bafy") || ci.Member != w.id(by) || ci.MemberName != by || ci.Minutes != uint64(req.Minutes) ||
		ci.Hours != float64(req.Minutes)/60 || ci.Skill != strings.ToLower(strings.TrimSpace(req.Skill)) ||
		ci.What != strings.TrimSpace(req.What) || ci.Reviews == nil || len(ci.Reviews) != 0 || ci.Replaced != nil {
		t.Fatalf("%s adds %+v: %+v", by, req, ci)
	}
	if _, err := time.Parse(time.RFC3339, ci.Recorded); err != nil {
		t.Fatalf("recorded %q: %v", ci.Recorded, err)
	}
	w.sync(t)
	return ci
}

// review has by review a contribution and syncs every peer.
func (w *contribWorld) review(t testing.TB, by string, req ReviewRequest) *ContributionInfo {
	t.Helper()
	req.Society = w.soc
	ci, err := w.ps[by].ReviewContribution(req)
	if err != nil {
		t.Fatalf("%s reviews %+v: %v", by, req, err)
	}
	w.sync(t)
	return ci
}

// same fails unless every peer describes the contribution as want.
func (w *contribWorld) same(t testing.TB, want *ContributionInfo) {
	t.Helper()
	want = ptr(*want)
	want.Replaced = nil
	for _, p := range w.all {
		got, err := p.Contribution(ContributionIDRequest{Society: w.soc, ID: want.ID})
		if err != nil {
			t.Fatalf("%s: Contribution: %v", p.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s sees\n %+v\nwant %+v", p.name, got, want)
		}
	}
}

// state is a peer's state hash and record count of the society.
func (w *contribWorld) state(t testing.TB, p *peer) string {
	t.Helper()
	h, n, err := p.Store().State(mustCID(t, w.soc))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x/%d", h, n)
}

func ids(cs []ContributionInfo) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func reviewBy(t testing.TB, ci *ContributionInfo, reviewer string) ReviewInfo {
	t.Helper()
	for _, r := range ci.Reviews {
		if r.Reviewer == reviewer {
			return r
		}
	}
	t.Fatalf("contribution %s has no review by %s: %+v", ci.ID, reviewer, ci.Reviews)
	return ReviewInfo{}
}

// TestContributions runs the contribution ledger's flows in one society:
// every peer holds the same records after each step and describes the
// contributions alike.
func TestContributions(t *testing.T) {
	w := newContribWorld(t)

	hedges := w.add(t, "Alice", ContributionRequest{What: " Pruned the hedges ", Skill: "Gardening", Minutes: 90, Date: "2026-03-10",
		Link: "https://example.org/hedges", For: []string{"bob", CommunityAccount}, Guild: " Green "})
	if hedges.Date != "2026-03-10" || hedges.Link != "https://example.org/hedges" || hedges.Guild != "Green" || len(hedges.For) != 2 {
		t.Fatalf("hedges: %+v", hedges)
	}
	wantFor := []AccountRef{{ID: w.id("Bob"), Name: "Bob"}, {ID: CommunityAccount, Name: CommunityAccount}}
	if !slices.Contains(hedges.For, wantFor[0]) || !slices.Contains(hedges.For, wantFor[1]) {
		t.Fatalf("hedges for %+v, want %+v", hedges.For, wantFor)
	}
	soup := w.add(t, "Alice", ContributionRequest{What: "Soup for the meeting", Skill: "cooking", Minutes: 30})
	if soup.Date != contribDay || len(soup.For) != 0 || soup.For == nil {
		t.Fatalf("soup (dated by the node's clock): %+v", soup)
	}
	gate := w.add(t, "Bob", ContributionRequest{What: "Fixed the gate", Skill: "carpentry", Minutes: 120, Date: "2025-03-14",
		For: []string{w.id("Alice")}})
	w.same(t, hedges)
	w.same(t, gate)

	t.Run("list", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			req  ContributionsRequest
			want []string
			err  error
			msg  string
		}{
			{"everyone's, newest first", ContributionsRequest{}, []string{gate.ID, soup.ID, hedges.ID}, nil, ""},
			{"by name", ContributionsRequest{Member: "alice"}, []string{soup.ID, hedges.ID}, nil, ""},
			{"by ID", ContributionsRequest{Member: w.id("Bob")}, []string{gate.ID}, nil, ""},
			{"by skill, any case", ContributionsRequest{Skill: "GARDENING"}, []string{hedges.ID}, nil, ""},
			{"member and skill", ContributionsRequest{Member: "Alice", Skill: "cooking"}, []string{soup.ID}, nil, ""},
			{"nothing", ContributionsRequest{Member: "Carol"}, []string{}, nil, ""},
			{"limit", ContributionsRequest{Limit: 2}, []string{gate.ID, soup.ID}, nil, ""},
			{"member's limit", ContributionsRequest{Member: "Alice", Limit: 1}, []string{soup.ID}, nil, ""},
			{"unknown member", ContributionsRequest{Member: "Zed"}, nil, crdt.ErrNotFound, `no member "Zed"`},
			{"community", ContributionsRequest{Member: CommunityAccount}, nil, nil, "community account is not a member"},
			{"negative limit", ContributionsRequest{Limit: -1}, nil, nil, "negative limit"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.req.Society = w.soc
				for _, p := range w.all {
					cs, err := p.Contributions(tc.req)
					if tc.msg != "" {
						if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.msg) {
							t.Fatalf("%s: got %v, want %v with %q", p.name, err, tc.err, tc.msg)
						}
						continue
					}
					if err != nil || cs == nil || !reflect.DeepEqual(ids(cs), tc.want) {
						t.Fatalf("%s: got %v, %v; want %v", p.name, ids(cs), err, tc.want)
					}
				}
			})
		}
	})

	t.Run("reviews", func(t *testing.T) {
		ci := w.review(t, "Bob", ReviewRequest{ID: hedges.ID, Quality: 4, Impact: 5, Note: "tidy"})
		if ci.Replaced != nil || len(ci.Reviews) != 1 || ci.AvgQuality != 4 || ci.AvgImpact != 5 {
			t.Fatalf("after Bob's review: %+v", ci)
		}
		if r := reviewBy(t, ci, w.id("Bob")); r.ReviewerName != "Bob" || r.Quality != 4 || r.Impact != 5 || r.Note != "tidy" || !strings.HasPrefix(r.ID, "bafy") {
			t.Fatalf("Bob's review: %+v", r)
		}
		ci = w.review(t, "Carol", ReviewRequest{ID: hedges.ID, Quality: 2, Impact: 3})
		if ci.Replaced != nil || len(ci.Reviews) != 2 || ci.AvgQuality != 3 || ci.AvgImpact != 4 {
			t.Fatalf("after Carol's review: %+v", ci)
		}
		w.same(t, ci)
		first := reviewBy(t, ci, w.id("Bob"))

		// Bob reviews again: his new review replaces the earlier one.
		ci = w.review(t, "Bob", ReviewRequest{ID: hedges.ID, Quality: 5, Impact: 5, Note: "even better on a second look"})
		if ci.Replaced == nil || !reflect.DeepEqual(*ci.Replaced, first) {
			t.Fatalf("re-review replaced %+v, want %+v", ci.Replaced, first)
		}
		if r := reviewBy(t, ci, w.id("Bob")); len(ci.Reviews) != 2 || r.Quality != 5 || r.ID == first.ID || ci.AvgQuality != 3.5 || ci.AvgImpact != 4 {
			t.Fatalf("after the re-review: %+v", ci)
		}
		w.same(t, ci)
		hedges = ci
		gate = w.review(t, "Alice", ReviewRequest{ID: gate.ID, Quality: 3, Impact: 4})
		w.same(t, gate)
		cs, err := w.ps["Carol"].Contributions(ContributionsRequest{Society: w.soc, Skill: "gardening"})
		if err != nil || len(cs) != 1 || len(cs[0].Reviews) != 2 || cs[0].AvgQuality != 3.5 {
			t.Fatalf("listed with its reviews: %+v, %v", cs, err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		long := func(n int) string { return strings.Repeat("x", n+1) }
		add := func(mod func(*ContributionRequest)) func(p *peer) error {
			return func(p *peer) error {
				r := ContributionRequest{Society: w.soc, What: "Weeding", Skill: "gardening", Minutes: 30}
				mod(&r)
				_, err := p.AddContribution(r)
				return err
			}
		}
		rev := func(id string, q, i int, note string) func(p *peer) error {
			return func(p *peer) error {
				_, err := p.ReviewContribution(ReviewRequest{Society: w.soc, ID: id, Quality: q, Impact: i, Note: note})
				return err
			}
		}
		for _, tc := range []struct {
			name string
			by   string
			fn   func(p *peer) error
			err  error  // errors.Is, when not nil
			want string // in the message
		}{
			{"self-review", "Alice", rev(hedges.ID, 5, 5, ""), ledger.ErrNotAllowed, "you cannot review your own contribution"},
			{"quality 0", "Bob", rev(hedges.ID, 0, 3, ""), nil, "quality is rated 1 to 5, not 0"},
			{"quality 6", "Bob", rev(hedges.ID, 6, 3, ""), nil, "quality is rated 1 to 5, not 6"},
			{"impact -1", "Bob", rev(hedges.ID, 3, -1, ""), nil, "impact is rated 1 to 5, not -1"},
			{"long review note", "Bob", rev(hedges.ID, 3, 3, long(ledger.MaxNoteLen)), nil, "note"},
			{"not an ID", "Bob", rev("nope", 3, 3, ""), nil, "not a contribution ID"},
			{"not a contribution", "Bob", rev(w.soc, 3, 3, ""), crdt.ErrNotFound, "no contribution"},
			{"no what", "Bob", add(func(r *ContributionRequest) { r.What = "  " }), nil, "says what was done"},
			{"no skill", "Bob", add(func(r *ContributionRequest) { r.Skill = "" }), nil, "needs a skill"},
			{"zero minutes", "Bob", add(func(r *ContributionRequest) { r.Minutes = 0 }), nil, "1 minute to 744 h"},
			{"negative minutes", "Bob", add(func(r *ContributionRequest) { r.Minutes = -30 }), nil, "1 minute to 744 h"},
			{"too many minutes", "Bob", add(func(r *ContributionRequest) { r.Minutes = contrib.MaxContributionMinutes + 1 }), nil, "1 minute to 744 h"},
			{"bad date", "Bob", add(func(r *ContributionRequest) { r.Date = "14/03/2026" }), nil, "not a day written YYYY-MM-DD"},
			{"impossible date", "Bob", add(func(r *ContributionRequest) { r.Date = "2026-02-30" }), nil, "YYYY-MM-DD"},
			{"unpadded date", "Bob", add(func(r *ContributionRequest) { r.Date = "2026-3-1" }), nil, "YYYY-MM-DD"},
			{"future date", "Bob", add(func(r *ContributionRequest) { r.Date = "2026-03-15" }), nil, "after today (2026-03-14)"},
			{"ancient date", "Bob", add(func(r *ContributionRequest) { r.Date = "1899-12-31" }), nil, "before 1900"},
			{"ftp link", "Bob", add(func(r *ContributionRequest) { r.Link = "ftp://example.org/x" }), nil, "not an http(s) URL"},
			{"relative link", "Bob", add(func(r *ContributionRequest) { r.Link = "example.org/x" }), nil, "not an http(s) URL"},
			{"link with spaces", "Bob", add(func(r *ContributionRequest) { r.Link = "https://example.org/a b" }), nil, "spaces"},
			{"long link", "Bob", add(func(r *ContributionRequest) { r.Link = "https://example.org/" + long(contrib.MaxLinkLen) }), nil, "link"},
			{"long what", "Bob", add(func(r *ContributionRequest) { r.What = long(contrib.MaxWhatLen) }), nil, "longer than 2000"},
			{"long skill", "Bob", add(func(r *ContributionRequest) { r.Skill = long(ledger.MaxSkillLen) }), nil, "skill"},
			{"long guild", "Bob", add(func(r *ContributionRequest) { r.Guild = long(contrib.MaxGuildLen) }), nil, "guild"},
			{"unknown beneficiary", "Bob", add(func(r *ContributionRequest) { r.For = []string{"Zed"} }), crdt.ErrNotFound, `no member "Zed"`},
			{"oneself as beneficiary", "Bob", add(func(r *ContributionRequest) { r.For = []string{"Carol", "bob"} }), ledger.ErrNotAllowed, "yourself"},
			{"beneficiary twice", "Bob", add(func(r *ContributionRequest) { r.For = []string{"Carol", w.id("Carol")} }), nil, "twice"},
			{"too many beneficiaries", "Bob", add(func(r *ContributionRequest) { r.For = make([]string, contrib.MaxBeneficiaries+1) }), nil, "at most 50"},
			{"unknown society", "Bob", add(func(r *ContributionRequest) { r.Society = "bafynope" }), ErrNoSociety, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := w.ps[tc.by]
				before := w.state(t, p)
				err := tc.fn(p)
				if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %v with %q", err, tc.err, tc.want)
				}
				if after := w.state(t, p); after != before {
					t.Fatalf("a refused request changed the state (%v)", err)
				}
			})
		}
	})

	t.Run("cv", func(t *testing.T) {
		// Alice gives Bob an hour of gardening; Bob confirms, satisfied.
		ti, err := w.ps["Alice"].ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModeGive, To: []string{"Bob"}, Minutes: 60,
			Skill: "gardening", Note: "weeding"})
		if err != nil {
			t.Fatal(err)
		}
		w.sync(t)
		if _, err := w.ps["Bob"].AnswerTransfer(AnswerRequest{Society: w.soc, ID: ti.ID, Accept: true,
			Review: &timebank.TransferReview{Satisfied: true, Note: "weedless"}}); err != nil {
			t.Fatal(err)
		}
		w.sync(t)
		w.clock.hold()

		var first *CVResult
		for _, p := range w.all {
			res, err := p.CV(CVRequest{Society: w.soc, Member: "Alice"})
			if err != nil {
				t.Fatalf("%s: CV of Alice: %v", p.name, err)
			}
			if first == nil {
				first = res
			} else if !reflect.DeepEqual(res, first) {
				t.Fatalf("%s's CV of Alice differs:\n %+v\nwant %+v", p.name, res, first)
			}
		}
		mine, err := w.ps["Alice"].CV(CVRequest{Society: w.soc})
		if err != nil || !reflect.DeepEqual(mine, first) {
			t.Fatalf("Alice's own CV: %+v, %v", mine, err)
		}
		cv := first.CV
		if cv.MemberID != w.id("Alice") || cv.Name != "Alice" || cv.Status != membership.StatusActive || cv.Member != nil ||
			!reflect.DeepEqual(cv.Skills, []string{"cooking", "gardening"}) || cv.HalfLifeDays != 365 || !cv.AsOf.Equal(w.clock.now()) {
			t.Fatalf("CV head: %+v", cv)
		}
		if cv.ContributionHours != 2 || cv.TimeBankHours != 1 || cv.TotalHours != 3 || cv.Satisfied != 1 || cv.Unsatisfied != 0 {
			t.Fatalf("CV hours: %+v", cv)
		}
		if len(cv.Reputation) != 2 {
			t.Fatalf("CV reputation: %+v", cv.Reputation)
		}
		g, c := cv.Reputation[1], cv.Reputation[0]
		if g.Skill != "gardening" || g.ContributionHours != 1.5 || g.TimeBankHours != 1 || g.Hours != 2.5 || g.Reviews != 2 ||
			g.Satisfied != 1 || math.Abs(g.AvgQuality-3.5) > 0.01 || math.Abs(g.AvgImpact-4) > 0.01 {
			t.Fatalf("gardening reputation: %+v", g)
		}
		// Four days of decay at most on a year's half-life.
		if g.DecayedHours > g.Hours || g.DecayedHours < 2.5*0.99 || math.Abs(g.Score-g.DecayedHours*(g.AvgQuality+g.AvgImpact)/10) > 1e-9 {
			t.Fatalf("gardening decay and score: %+v", g)
		}
		if c.Skill != "cooking" || c.Hours != 0.5 || c.Reviews != 0 || c.AvgQuality != 3 || c.AvgImpact != 3 || c.Score <= 0 {
			t.Fatalf("cooking reputation: %+v", c)
		}
		if math.Abs(cv.Score-(g.Score+c.Score)) > 1e-9 {
			t.Fatalf("CV score %v, skills %v + %v", cv.Score, g.Score, c.Score)
		}
		if len(cv.Contributions) != 2 || cv.Contributions[0].ID != soup.ID || cv.Contributions[1].ID != hedges.ID {
			t.Fatalf("CV contributions, newest day first: %+v", cv.Contributions)
		}
		if h := cv.Contributions[1]; h.Reviews != 2 || h.AvgQuality != 3.5 || h.Guild != "Green" || len(h.BeneficiaryIDs) != 2 ||
			!slices.Contains(h.BeneficiaryIDs, w.id("Bob")) || !slices.Contains(h.BeneficiaryIDs, reputation.CommunityID) {
			t.Fatalf("CV hedges: %+v", h)
		}
		if len(cv.TimeBank) != 1 || cv.TimeBank[0].Transfer != ti.ID || cv.TimeBank[0].CounterpartyID != w.id("Bob") ||
			cv.TimeBank[0].Hours != 1 || cv.TimeBank[0].Review == nil || !cv.TimeBank[0].Review.Satisfied {
			t.Fatalf("CV time bank: %+v", cv.TimeBank)
		}
		if len(cv.Reviews) != 2 || len(cv.TransferReviews) != 1 || cv.TransferReviews[0].FromID != w.id("Bob") {
			t.Fatalf("CV reviews: %+v, transfer reviews %+v", cv.Reviews, cv.TransferReviews)
		}
		for _, r := range cv.Reviews {
			if r.Contribution != hedges.ID || (r.ReviewerID != w.id("Bob") && r.ReviewerID != w.id("Carol")) {
				t.Fatalf("CV review: %+v", r)
			}
		}
		wantNames := map[string]string{w.id("Alice"): "Alice", w.id("Bob"): "Bob", w.id("Carol"): "Carol", CommunityAccount: CommunityAccount}
		if !reflect.DeepEqual(first.Names, wantNames) {
			t.Fatalf("CV names: %v, want %v", first.Names, wantNames)
		}
		// The exports work on the answer as it is (string IDs, no keys).
		var b bytes.Buffer
		if err := reputation.WriteCVCSV(&b, cv, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 4 || rows[3][7] != w.id("Bob") {
			t.Fatalf("CV CSV: %q, %v", rows, err)
		}
		ld := reputation.CVJSONLD(cv, nil)
		if g := ld["@graph"].([]any); len(g) != 1+2+1+1+2 || g[0].(map[string]any)["@id"] != "commons:member:"+w.id("Alice") {
			t.Fatalf("CV JSON-LD graph: %+v", ld["@graph"])
		}

		// Bob's year-old work has decayed by half.
		bob, err := w.ps["Carol"].CV(CVRequest{Society: w.soc, Member: "bob"})
		if err != nil || len(bob.CV.Reputation) != 1 || bob.CV.Reputation[0].Skill != "carpentry" || bob.CV.ContributionHours != 2 ||
			math.Abs(bob.CV.DecayedHours-1) > 0.01 || bob.CV.TimeBankHours != 0 || len(bob.CV.Reviews) != 1 {
			t.Fatalf("Bob's CV: %+v, %v", bob, err)
		}
		carol, err := w.ps["Carol"].CV(CVRequest{Society: w.soc})
		if err != nil || carol.CV.TotalHours != 0 || len(carol.CV.Contributions) != 0 || carol.CV.Reputation == nil {
			t.Fatalf("Carol's empty CV: %+v, %v", carol, err)
		}
		for _, m := range []struct{ member, want string }{{"Zed", `no member "Zed"`}, {CommunityAccount, "not a member"}} {
			if _, err := w.ps["Carol"].CV(CVRequest{Society: w.soc, Member: m.member}); err == nil || !strings.Contains(err.Error(), m.want) {
				t.Fatalf("CV of %s: %v", m.member, err)
			}
		}
	})
}

// TestContributionsControlSocket: the contribution ledger's calls give the
// same answers over the control socket as in process.
func TestContributionsControlSocket(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	var api API = serveControl(t, Paths{Home: alice.home}, alice)

	ci, err := api.AddContribution(ContributionRequest{Society: soc, What: "Bread for the fair", Skill: "Baking", Minutes: 75, For: []string{"Bob"}})
	if err != nil || ci.Skill != "baking" || ci.Date != contribDay || len(ci.For) != 1 || ci.For[0].Name != "Bob" || ci.Reviews == nil {
		t.Fatalf("AddContribution over the socket: %+v, %v", ci, err)
	}
	if _, err := api.ReviewContribution(ReviewRequest{Society: soc, ID: ci.ID, Quality: 5, Impact: 5}); err == nil ||
		!strings.Contains(err.Error(), "you cannot review your own contribution") {
		t.Fatalf("self-review over the socket: %v", err)
	}
	bob.pull(t, alice, soc)
	theirs, err := bob.AddContribution(ContributionRequest{Society: soc, What: "Mended a chair", Skill: "carpentry", Minutes: 45})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ReviewContribution(ReviewRequest{Society: soc, ID: ci.ID, Quality: 4, Impact: 3, Note: "crusty"}); err != nil {
		t.Fatal(err)
	}
	alice.pull(t, bob, soc)
	rv, err := api.ReviewContribution(ReviewRequest{Society: soc, ID: theirs.ID, Quality: 3, Impact: 2})
	if err != nil || rv.Replaced != nil || len(rv.Reviews) != 1 {
		t.Fatalf("ReviewContribution over the socket: %+v, %v", rv, err)
	}
	rv, err = api.ReviewContribution(ReviewRequest{Society: soc, ID: theirs.ID, Quality: 4, Impact: 4})
	if err != nil || rv.Replaced == nil || rv.Replaced.Quality != 3 || len(rv.Reviews) != 1 || rv.AvgQuality != 4 {
		t.Fatalf("second ReviewContribution over the socket: %+v, %v", rv, err)
	}
	clock.hold()
	bobs := ContributionsRequest{Society: soc, Member: "Bob", Limit: 5}
	for _, c := range []struct {
		name   string
		remote func() (any, error)
		local  func() (any, error)
	}{
		{"Contribution", func() (any, error) { return api.Contribution(ContributionIDRequest{Society: soc, ID: ci.ID}) },
			func() (any, error) { return alice.Contribution(ContributionIDRequest{Society: soc, ID: ci.ID}) }},
		{"Contributions", func() (any, error) { return api.Contributions(ContributionsRequest{Society: soc}) },
			func() (any, error) { return alice.Contributions(ContributionsRequest{Society: soc}) }},
		{"Contributions of a member", func() (any, error) { return api.Contributions(bobs) },
			func() (any, error) { return alice.Contributions(bobs) }},
		{"CV", func() (any, error) { return api.CV(CVRequest{Society: soc}) },
			func() (any, error) { return alice.CV(CVRequest{Society: soc}) }},
		{"CV of a member", func() (any, error) { return api.CV(CVRequest{Society: soc, Member: "Bob"}) },
			func() (any, error) { return alice.CV(CVRequest{Society: soc, Member: "Bob"}) }},
	} {
		got, err := c.remote()
		if err != nil {
			t.Fatalf("%s over the socket: %v", c.name, err)
		}
		want, err := c.local()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s over the socket:\n got %+v\nwant %+v", c.name, got, want)
		}
	}
	res, _ := api.CV(CVRequest{Society: soc})
	if res.CV.TotalHours != 1.25 || len(res.CV.Reviews) != 1 || res.CV.Reviews[0].ReviewerID != bob.id.MemberID() || res.Names[bob.id.MemberID()] != "Bob" {
		t.Fatalf("CV over the socket: %+v", res)
	}
	if _, err := api.Contribution(ContributionIDRequest{Society: soc, ID: soc}); err == nil || !strings.Contains(err.Error(), "no contribution") {
		t.Fatalf("Contribution of a non-contribution over the socket: %v", err)
	}
}
