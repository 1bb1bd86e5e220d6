package all_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/reputation"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// contribFixture is the time bank's fixture: founder, Bob and Carol.
type contribFixture = bankFixture

func newContribFixture(t *testing.T) *contribFixture { return newBankFixture(t) }

func (f *contribFixture) read(t *testing.T, fn func(r *crdt.Reader) error) {
	t.Helper()
	if err := f.st.View(f.s.soc, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *contribFixture) contribution(t *testing.T, id cid.Cid) contrib.ContributionView {
	t.Helper()
	var cv contrib.ContributionView
	f.read(t, func(r *crdt.Reader) error {
		var ok bool
		var err error
		if cv, ok, err = contrib.ContributionByID(r, id); err == nil && !ok {
			t.Fatalf("contribution %s unknown", id)
		}
		return err
	})
	return cv
}

func (f *contribFixture) reviews(t *testing.T, id cid.Cid) []contrib.ReviewView {
	t.Helper()
	var out []contrib.ReviewView
	f.read(t, func(r *crdt.Reader) error {
		var err error
		out, err = contrib.ReviewsOf(r, id)
		return err
	})
	return out
}

// lastMillis is the wall time of the newest generated record.
func (f *contribFixture) lastMillis() int64 { return int64(crdt.HLC(f.s.now).Millis()) }

func mkey(d *simDevice) []byte { return d.member.key.Public().(ed25519.PublicKey) }

func hexID(b []byte) string { return hex.EncodeToString(b) }

func work(skill string, minutes uint64, date string, to ...[]byte) contrib.Contribution {
	slices.SortFunc(to, bytes.Compare)
	return contrib.Contribution{What: "did " + skill, Skill: skill, Minutes: minutes, Date: date, Beneficiaries: to}
}

func review(c cid.Cid, q, i uint64, note string) contrib.Review {
	return contrib.Review{Contribution: crdt.Link{Cid: c}, Quality: q, Impact: i, Note: note}
}

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestContributionAddAndList(t *testing.T) {
	f := newContribFixture(t)
	founder, bob := mkey(f.founder), mkey(f.bob)
	g := f.do(t, f.bob, contrib.TypeContribution, contrib.Contribution{What: "weeded the shared beds", Skill: " Gardening ", Minutes: 90,
		Date: "2023-11-10", Link: "https://example.org/photos/1", Beneficiaries: [][]byte{membership.Community}, Guild: "Garden guild"})
	p := f.do(t, f.bob, contrib.TypeContribution, work("plumbing", 30, "2023-11-12", founder))
	f.do(t, f.founder, contrib.TypeContribution, contrib.Contribution{What: "minutes of the meeting", Skill: "writing", Minutes: 60, Date: "2023-11-13", Guild: "council"})

	cv := f.contribution(t, g)
	if cv.Skill != "gardening" || cv.Minutes != 90 || cv.Hours() != 1.5 || cv.Guild != "Garden guild" || !bytes.Equal(cv.Member, bob) ||
		cv.Link != "https://example.org/photos/1" || len(cv.Beneficiaries) != 1 || !bytes.Equal(cv.Beneficiaries[0], membership.Community) || cv.Reviews != 0 {
		t.Fatalf("contribution view: %+v", cv)
	}
	cases := []struct {
		name string
		q    contrib.ContributionQuery
		want []cid.Cid
	}{
		{"everyone's, newest first", contrib.ContributionQuery{}, nil},
		{"Bob's, newest first", contrib.ContributionQuery{Member: bob}, []cid.Cid{p, g}},
		{"Bob's, limited", contrib.ContributionQuery{Member: bob, Limit: 1}, []cid.Cid{p}},
		{"Bob's by skill, any case", contrib.ContributionQuery{Member: bob, Skill: "GARDENING"}, []cid.Cid{g}},
		{"everyone's by skill", contrib.ContributionQuery{Skill: "plumbing"}, []cid.Cid{p}},
		{"the founder's", contrib.ContributionQuery{Member: founder, Skill: "plumbing"}, []cid.Cid{}},
		{"a stranger's", contrib.ContributionQuery{Member: make([]byte, 32)}, []cid.Cid{}},
	}
	for _, tc := range cases {
		var got []contrib.ContributionView
		f.read(t, func(r *crdt.Reader) error {
			var err error
			got, err = contrib.Contributions(r, tc.q)
			return err
		})
		if tc.want == nil {
			if len(got) != 3 || got[0].Skill != "writing" || got[2].Skill != "gardening" {
				t.Errorf("%s: %+v", tc.name, got)
			}
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d contributions, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i, c := range tc.want {
			if !bytes.Equal(got[i].ID, c.Bytes()) {
				t.Errorf("%s: #%d is %x, want %s", tc.name, i, got[i].ID, c)
			}
		}
	}
}

func TestReviewsAggregateAndReplace(t *testing.T) {
	f := newContribFixture(t)
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 120, "2023-11-10", mkey(f.founder)))
	steps := []struct {
		name       string
		by         *simDevice
		q, i       uint64
		n, qs, is  uint64
		byReviewer map[*simDevice][2]uint64
	}{
		{"the founder reviews", f.founder, 4, 5, 1, 4, 5, map[*simDevice][2]uint64{f.founder: {4, 5}}},
		{"Carol reviews", f.carol, 2, 3, 2, 6, 8, map[*simDevice][2]uint64{f.founder: {4, 5}, f.carol: {2, 3}}},
		{"the founder changes their mind", f.founder, 1, 1, 2, 3, 4, map[*simDevice][2]uint64{f.founder: {1, 1}, f.carol: {2, 3}}},
		{"and again", f.founder, 5, 2, 2, 7, 5, map[*simDevice][2]uint64{f.founder: {5, 2}, f.carol: {2, 3}}},
	}
	for _, st := range steps {
		f.do(t, st.by, contrib.TypeReview, review(c, st.q, st.i, st.name), c)
		cv := f.contribution(t, c)
		if cv.Reviews != st.n || cv.QualitySum != st.qs || cv.ImpactSum != st.is {
			t.Fatalf("%s: %d reviews, sums %d/%d; want %d, %d/%d", st.name, cv.Reviews, cv.QualitySum, cv.ImpactSum, st.n, st.qs, st.is)
		}
		rs := f.reviews(t, c)
		if len(rs) != len(st.byReviewer) {
			t.Fatalf("%s: %d reviews listed", st.name, len(rs))
		}
		for d, want := range st.byReviewer {
			i := slices.IndexFunc(rs, func(r contrib.ReviewView) bool { return bytes.Equal(r.Reviewer, mkey(d)) })
			if i < 0 || rs[i].Quality != want[0] || rs[i].Impact != want[1] {
				t.Fatalf("%s: reviews %+v", st.name, rs)
			}
		}
		if rs[0].Note != st.name {
			t.Fatalf("%s: newest review listed first: %+v", st.name, rs)
		}
	}
	cv := f.contribution(t, c)
	if cv.AvgQuality() != 3.5 || cv.AvgImpact() != 2.5 {
		t.Fatalf("averages %v %v", cv.AvgQuality(), cv.AvgImpact())
	}
	var mine []contrib.ReviewView
	f.read(t, func(r *crdt.Reader) error {
		var err error
		mine, err = contrib.ReviewsBy(r, mkey(f.founder), 0)
		return err
	})
	if len(mine) != 1 || mine[0].Quality != 5 || !bytes.Equal(mine[0].Contribution, c.Bytes()) {
		t.Fatalf("reviews by the founder: %+v", mine)
	}
}

func TestContributionAndReviewRefused(t *testing.T) {
	f := newContribFixture(t)
	founder, bob, carol := mkey(f.founder), mkey(f.bob), mkey(f.carol)
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 60, "2023-11-10", founder))
	l := f.do(t, f.founder, directory.TypeListing, directory.Listing{Kind: directory.KindOffer, Skill: "x", Description: "y"})
	ok := work("gardening", 60, "2023-11-10", founder)
	with := func(mut func(*contrib.Contribution)) contrib.Contribution {
		x := ok
		x.Beneficiaries = slices.Clone(ok.Beneficiaries)
		mut(&x)
		return x
	}
	many := make([][]byte, contrib.MaxBeneficiaries+1)
	for i := range many {
		many[i] = bytes.Repeat([]byte{byte(i + 1)}, 32)
	}
	two := [][]byte{carol, founder}
	slices.SortFunc(two, bytes.Compare)
	contribs := []struct {
		name string
		c    contrib.Contribution
		want error
	}{
		{"no description", with(func(c *contrib.Contribution) { c.What = "  " }), ledger.ErrBadBody},
		{"no skill", with(func(c *contrib.Contribution) { c.Skill = "" }), ledger.ErrBadBody},
		{"skill too long", with(func(c *contrib.Contribution) { c.Skill = strings.Repeat("s", ledger.MaxSkillLen+1) }), ledger.ErrBadBody},
		{"zero minutes", with(func(c *contrib.Contribution) { c.Minutes = 0 }), ledger.ErrBadBody},
		{"more than a month", with(func(c *contrib.Contribution) { c.Minutes = 24*60*31 + 1 }), ledger.ErrBadBody},
		{"no date", with(func(c *contrib.Contribution) { c.Date = "" }), ledger.ErrBadBody},
		{"not a date", with(func(c *contrib.Contribution) { c.Date = "yesterday" }), ledger.ErrBadBody},
		{"month 13", with(func(c *contrib.Contribution) { c.Date = "2023-13-01" }), ledger.ErrBadBody},
		{"February 30", with(func(c *contrib.Contribution) { c.Date = "2023-02-30" }), ledger.ErrBadBody},
		{"unpadded date", with(func(c *contrib.Contribution) { c.Date = "2023-1-5" }), ledger.ErrBadBody},
		{"date with a time", with(func(c *contrib.Contribution) { c.Date = "2023-11-10T10:00:00Z" }), ledger.ErrBadBody},
		{"date after the record", with(func(c *contrib.Contribution) { c.Date = "2024-06-01" }), ledger.ErrBadBody},
		{"ftp link", with(func(c *contrib.Contribution) { c.Link = "ftp://example.org/x" }), ledger.ErrBadBody},
		{"javascript link", with(func(c *contrib.Contribution) { c.Link = "javascript:alert(1)" }), ledger.ErrBadBody},
		{"relative link", with(func(c *contrib.Contribution) { c.Link = "/photos/1" }), ledger.ErrBadBody},
		{"link without host", with(func(c *contrib.Contribution) { c.Link = "https://" }), ledger.ErrBadBody},
		{"link with spaces", with(func(c *contrib.Contribution) { c.Link = "https://example.org/a b" }), ledger.ErrBadBody},
		{"link too long", with(func(c *contrib.Contribution) { c.Link = "https://example.org/" + strings.Repeat("a", 500) }), ledger.ErrBadBody},
		{"unsorted beneficiaries", with(func(c *contrib.Contribution) { c.Beneficiaries = [][]byte{two[1], two[0]} }), ledger.ErrBadBody},
		{"repeated beneficiary", with(func(c *contrib.Contribution) { c.Beneficiaries = [][]byte{founder, founder} }), ledger.ErrBadBody},
		{"short beneficiary key", with(func(c *contrib.Contribution) { c.Beneficiaries = [][]byte{founder[:31]} }), ledger.ErrBadBody},
		{"too many beneficiaries", with(func(c *contrib.Contribution) { c.Beneficiaries = many }), ledger.ErrBadBody},
		{"guild name too long", with(func(c *contrib.Contribution) { c.Guild = strings.Repeat("g", contrib.MaxGuildLen+1) }), ledger.ErrBadBody},
		{"for oneself", with(func(c *contrib.Contribution) { c.Beneficiaries = [][]byte{bob} }), ledger.ErrNotAllowed},
	}
	for _, tc := range contribs {
		t.Run("contribution/"+tc.name, func(t *testing.T) {
			f.refused(t, f.bob, contrib.TypeContribution, tc.c, tc.want)
		})
	}
	// Malformed CBOR: a rating that is not a number.
	t.Run("review/quality not a number", func(t *testing.T) {
		f.refused(t, f.founder, contrib.TypeReview, map[string]any{"contribution": crdt.Link{Cid: c}, "quality": "five", "impact": 3}, ledger.ErrBadBody, c)
	})
	reviews := []struct {
		name string
		by   *simDevice
		r    contrib.Review
		deps []cid.Cid
		want error
	}{
		{"quality 0", f.founder, review(c, 0, 3, ""), []cid.Cid{c}, ledger.ErrBadBody},
		{"quality 6", f.founder, review(c, 6, 3, ""), []cid.Cid{c}, ledger.ErrBadBody},
		{"impact 0", f.founder, review(c, 3, 0, ""), []cid.Cid{c}, ledger.ErrBadBody},
		{"impact 6", f.founder, review(c, 3, 6, ""), []cid.Cid{c}, ledger.ErrBadBody},
		{"note too long", f.founder, review(c, 3, 3, strings.Repeat("n", ledger.MaxNoteLen+1)), []cid.Cid{c}, ledger.ErrBadBody},
		{"contribution not among the deps", f.founder, review(c, 3, 3, ""), nil, ledger.ErrBadBody},
		{"of a listing", f.bob, review(l, 3, 3, ""), []cid.Cid{l}, ledger.ErrBadBody},
		{"of one's own contribution", f.bob, review(c, 5, 5, "I did great"), []cid.Cid{c}, ledger.ErrNotAllowed},
	}
	for _, tc := range reviews {
		t.Run("review/"+tc.name, func(t *testing.T) {
			f.refused(t, tc.by, contrib.TypeReview, tc.r, tc.want, tc.deps...)
		})
	}
	// The edges of the ranges are accepted.
	f.do(t, f.bob, contrib.TypeContribution, with(func(c *contrib.Contribution) {
		c.Minutes, c.Date, c.Link, c.Beneficiaries, c.Guild = 24*60*31, "2023-11-15", "http://example.org", nil, "kitchen"
	}))
	f.do(t, f.carol, contrib.TypeReview, review(c, 1, 5, ""), c)
	f.do(t, f.founder, contrib.TypeReview, review(c, 5, 1, ""), c)
}

// TestSelfReviewFromAnotherDevice: a member's second device is the same
// member, so it may not review the member's contribution either.
func TestSelfReviewFromAnotherDevice(t *testing.T) {
	f := newContribFixture(t)
	phone := contribSecondDevice(t, f, f.bob)
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 60, "2023-11-10", mkey(f.founder)))
	f.refused(t, phone, contrib.TypeReview, review(c, 5, 5, ""), ledger.ErrNotAllowed, c)
}

// contribSecondDevice adds and stores a second device of d's member.
func contribSecondDevice(t *testing.T, f *contribFixture, d *simDevice) *simDevice {
	t.Helper()
	m := d.member
	x := f.s.newDevice(m)
	x.anchored = true
	f.do(t, x, membership.TypeDevice, membership.Device{Cert: identity.Certify(m.key, x.key.Public().(ed25519.PublicKey)), Name: "phone"}, d.head)
	return x
}

// emitExact appends a record to d's chain with exactly the given deps (no
// random ones), so that records can be made concurrent on purpose.
func emitExact(s *sim, d *simDevice, typ string, body any, deps ...cid.Cid) ([]byte, cid.Cid) {
	raw, c := s.sign(d, typ, body, deps, d.seq+1, d.head)
	d.seq++
	d.head = c
	s.add(raw, c, d, deps)
	return raw, c
}

func TestReviewsOrderIndependent(t *testing.T) {
	f := newContribFixture(t)
	base := len(f.s.raws)
	laptop := contribSecondDevice(t, f, f.founder)
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 120, "2023-11-10", mkey(f.founder)))
	d := f.do(t, f.carol, contrib.TypeContribution, work("cooking", 45, "2023-11-11", mkey(f.bob)))
	// The founder reviews c from two devices concurrently: the later
	// review (by time) wins wherever it arrives first.
	early, _ := emitExact(f.s, f.founder, contrib.TypeReview, review(c, 1, 2, "phone"), c)
	late, _ := emitExact(f.s, laptop, contrib.TypeReview, review(c, 4, 5, "laptop"), c)
	// More traffic: Carol reviews twice, Bob reviews Carol's work.
	f.s.emit(f.carol, contrib.TypeReview, review(c, 3, 3, "first"), []cid.Cid{c})
	f.s.emit(f.carol, contrib.TypeReview, review(c, 2, 4, "second"), []cid.Cid{c})
	f.s.emit(f.bob, contrib.TypeReview, review(d, 5, 5, ""), []cid.Cid{d})
	f.s.emit(f.founder, contrib.TypeReview, review(d, 2, 2, ""), []cid.Cid{d})
	f.s.emit(f.bob, contrib.TypeContribution, work("gardening", 30, "2023-11-12", mkey(f.carol)), nil)

	prefix := f.s.raws[:base]
	rest := f.s.raws[base:]
	check := func(name string, st *crdt.Store) crdt.StateHash {
		t.Helper()
		var cv contrib.ContributionView
		if err := st.View(f.s.soc, func(r *crdt.Reader) error {
			var err error
			cv, _, err = contrib.ContributionByID(r, c)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if cv.Reviews != 2 || cv.QualitySum != 4+2 || cv.ImpactSum != 5+4 {
			t.Fatalf("%s: aggregates %d %d/%d", name, cv.Reviews, cv.QualitySum, cv.ImpactSum)
		}
		h, _, err := st.State(f.s.soc)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Rebuild(f.s.soc); err != nil {
			t.Fatal(err)
		}
		if h2, _, _ := st.State(f.s.soc); h2 != h {
			t.Fatalf("%s: rebuilt state %s differs from incremental %s", name, h2, h)
		}
		return h
	}
	ingest := func(st *crdt.Store, raws ...[]byte) {
		t.Helper()
		res, err := st.Ingest(f.s.soc, raws)
		if err != nil || len(res.Rejected) > 0 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
	}
	var hashes []crdt.StateHash
	// The two concurrent reviews in both orders, the rest in order.
	for i, pair := range [][2][]byte{{early, late}, {late, early}} {
		st := openStore(t)
		ingest(st, prefix...)
		ingest(st, rest[:slices.IndexFunc(rest, func(r []byte) bool { return bytes.Equal(r, early) })]...)
		ingest(st, pair[0])
		ingest(st, pair[1])
		for _, r := range rest {
			if !bytes.Equal(r, early) && !bytes.Equal(r, late) {
				ingest(st, r)
			}
		}
		hashes = append(hashes, check([]string{"early first", "late first"}[i], st))
	}
	// Random causal orders of everything.
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 4 {
		st := openStore(t)
		if rej := deliver(t, st, f.s, causalOrder(f.s, rng), rng); len(rej) > 0 {
			t.Fatalf("causal order %d: rejected %v", i, rej)
		}
		hashes = append(hashes, check("causal order", st))
	}
	for i, h := range hashes {
		if h != hashes[0] {
			t.Fatalf("order %d: state %s, want %s", i, h, hashes[0])
		}
	}
}

// bankWork stores time-bank traffic for Bob: a give to the founder,
// confirmed with a satisfied review (counts); a pay from the founder,
// confirmed by Bob with a review of his own (hours count, review does
// not); and a give to Carol that both reverse (counts for nothing).
func bankWork(t *testing.T, f *contribFixture) {
	t.Helper()
	founder, bob, carol := mkey(f.founder), mkey(f.bob), mkey(f.carol)
	g := f.do(t, f.bob, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: founder, Minutes: 60}}, Skill: "Gardening", Note: "weeding"})
	f.do(t, f.founder, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: g}, Leg: founder, Accept: true,
		Review: &timebank.TransferReview{Satisfied: true, Note: "tidy work"}}, g)
	p := f.do(t, f.founder, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModePay, Legs: []timebank.Leg{{Member: bob, Minutes: 45}}, Skill: "plumbing", Note: "tap"})
	f.do(t, f.bob, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: p}, Leg: bob, Accept: true}, p)
	x := f.do(t, f.bob, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: carol, Minutes: 30}}, Skill: "cooking"})
	f.do(t, f.carol, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: x}, Leg: carol, Accept: true,
		Review: &timebank.TransferReview{Satisfied: false, Note: "burnt"}}, x)
	f.do(t, f.carol, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: x}, Leg: carol, Reason: "burnt", Reverse: true}, x)
	f.do(t, f.bob, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: x}, Leg: carol, Reason: "fair", Reverse: true}, x)
}

func TestReputationDecays(t *testing.T) {
	f := newContribFixture(t)
	founder, bob := mkey(f.founder), mkey(f.bob)
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 120, "2023-11-01", founder))
	f.do(t, f.founder, contrib.TypeReview, review(c, 5, 4, ""), c)
	f.do(t, f.carol, contrib.TypeReview, review(c, 3, 2, ""), c)
	f.do(t, f.bob, contrib.TypeContribution, work("singing", 30, "2023-11-02", founder))
	bankWork(t, f)

	hl := float64(membership.DefaultSettings().HalfLifeDays)
	now := time.UnixMilli(f.lastMillis()).Add(10 * 24 * time.Hour)
	rep := func(at time.Time) map[string]reputation.SkillReputation {
		t.Helper()
		var rs []reputation.SkillReputation
		f.read(t, func(r *crdt.Reader) error {
			var err error
			rs, err = reputation.Reputation(r, bob, at)
			return err
		})
		if !slices.IsSortedFunc(rs, func(a, b reputation.SkillReputation) int { return strings.Compare(a.Skill, b.Skill) }) {
			t.Fatalf("reputation not sorted by skill: %+v", rs)
		}
		out := map[string]reputation.SkillReputation{}
		for _, s := range rs {
			out[s.Skill] = s
		}
		return out
	}
	r0 := rep(now)
	if len(r0) != 3 {
		t.Fatalf("skills %v (a reversed leg counts for nothing)", r0)
	}
	// Gardening: the contribution (2 h on 2023-11-01) and the confirmed
	// give (1 h at its confirmation); reviews 5/4 and 3/2, of about the
	// same age, so the weighted means are the plain ones.
	day := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	ageC := now.Sub(day).Hours() / 24
	var confirmed time.Time
	f.read(t, func(r *crdt.Reader) error {
		lines, err := timebank.StatementAll(r, bob)
		for _, l := range lines {
			if l.Skill == "gardening" && l.Minutes > 0 {
				confirmed = l.Time.Time()
			}
		}
		return err
	})
	ageT := now.Sub(confirmed).Hours() / 24
	g := r0["gardening"]
	wantDecayed := 2*math.Exp2(-ageC/hl) + 1*math.Exp2(-ageT/hl)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"gardening hours", g.Hours, 3},
		{"gardening contribution hours", g.ContributionHours, 2},
		{"gardening time-bank hours", g.TimeBankHours, 1},
		{"gardening decayed hours", g.DecayedHours, wantDecayed},
		{"gardening quality", g.AvgQuality, 4},
		{"gardening impact", g.AvgImpact, 3},
		{"gardening score", g.Score, wantDecayed * (4 + 3) / 10},
		{"gardening reviews", float64(g.Reviews), 2},
		{"gardening satisfied", float64(g.Satisfied), 1},
		{"plumbing hours (paid by the founder)", r0["plumbing"].TimeBankHours, 0.75},
		{"plumbing unsatisfied (Bob's own review)", float64(r0["plumbing"].Unsatisfied), 0},
		{"unreviewed quality", r0["singing"].AvgQuality, 3},
		{"unreviewed impact", r0["singing"].AvgImpact, 3},
		{"unreviewed score", r0["singing"].Score, r0["singing"].DecayedHours * 0.6},
	}
	for _, tc := range cases {
		if !approx(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// One half-life later, every decayed figure halves; the rest stays.
	r1 := rep(now.Add(time.Duration(hl) * 24 * time.Hour))
	for skill, s0 := range r0 {
		s1 := r1[skill]
		if !approx(s1.DecayedHours*2, s0.DecayedHours) || !approx(s1.Score*2, s0.Score) || s1.Hours != s0.Hours ||
			!approx(s1.AvgQuality, s0.AvgQuality) || s1.Satisfied != s0.Satisfied {
			t.Errorf("%s a half-life later: %+v, from %+v", skill, s1, s0)
		}
	}
}

// TestReviewsWeighedByAge: a review one half-life older than another
// weighs half as much in the averages.
func TestReviewsWeighedByAge(t *testing.T) {
	f := newContribFixture(t)
	hl := membership.DefaultSettings().HalfLifeDays
	c := f.do(t, f.bob, contrib.TypeContribution, work("gardening", 60, "2023-11-10", mkey(f.founder)))
	f.do(t, f.founder, contrib.TypeReview, review(c, 5, 4, "early"), c)
	f.s.now += uint64(hl*24*3600*1000) << 16 // one half-life later
	f.do(t, f.carol, contrib.TypeReview, review(c, 2, 1, "late"), c)
	var rs []reputation.SkillReputation
	f.read(t, func(r *crdt.Reader) error {
		var err error
		rs, err = reputation.Reputation(r, mkey(f.bob), time.UnixMilli(f.lastMillis()))
		return err
	})
	// Weights 1/2 (early) and 1 (late), to within the milliseconds
	// between the records.
	if len(rs) != 1 || math.Abs(rs[0].AvgQuality-(5*0.5+2)/1.5) > 1e-6 || math.Abs(rs[0].AvgImpact-(4*0.5+1)/1.5) > 1e-6 {
		t.Fatalf("reputation: %+v", rs)
	}
}

func TestCVExports(t *testing.T) {
	f := newContribFixture(t)
	founder, bob, carol := mkey(f.founder), mkey(f.bob), mkey(f.carol)
	f.do(t, f.bob, membership.TypeProfile, membership.Profile{Bio: str("I grow things"), Skills: &[]string{"Beekeeping", "gardening"}})
	both := [][]byte{founder, carol}
	slices.SortFunc(both, bytes.Compare)
	c := f.do(t, f.bob, contrib.TypeContribution, contrib.Contribution{What: "=HYPERLINK(\"x\") planted hedges", Skill: "Gardening", Minutes: 150,
		Date: "2023-11-05", Link: "https://example.org/hedge", Beneficiaries: both, Guild: "Garden guild"})
	f.do(t, f.founder, contrib.TypeReview, review(c, 4, 5, "lovely"), c)
	f.do(t, f.bob, contrib.TypeContribution, contrib.Contribution{What: "sorted the seed library", Skill: "archiving", Minutes: 60, Date: "2023-11-06", Guild: "Library"})
	bankWork(t, f)
	now := time.UnixMilli(f.lastMillis()).Add(24 * time.Hour)

	var cv reputation.CV
	f.read(t, func(r *crdt.Reader) error {
		var err error
		cv, err = reputation.BuildCV(r, bob, now)
		return err
	})
	if cv.Name != "Bob" || cv.Bio != "I grow things" || cv.Status != membership.StatusActive ||
		!slices.Equal(cv.Skills, []string{"archiving", "beekeeping", "gardening", "plumbing"}) ||
		len(cv.Contributions) != 2 || cv.Contributions[0].Skill != "archiving" || len(cv.TimeBank) != 2 ||
		len(cv.Reviews) != 1 || cv.Reviews[0].Quality != 4 || len(cv.TransferReviews) != 1 || !cv.TransferReviews[0].Satisfied ||
		cv.Satisfied != 1 || cv.Unsatisfied != 0 || !approx(cv.TotalHours, 2.5+1+1+0.75) || !approx(cv.ContributionHours, 3.5) {
		t.Fatalf("CV: %+v", cv)
	}
	if g := cv.Contributions[1]; g.Reviews != 1 || g.AvgQuality != 4 || g.AvgImpact != 5 || g.Hours != 2.5 {
		t.Fatalf("contribution in the CV: %+v", g)
	}
	var unknown error
	f.read(t, func(r *crdt.Reader) error {
		_, unknown = reputation.BuildCV(r, make([]byte, 32), now)
		return nil
	})
	if !errors.Is(unknown, crdt.ErrNotFound) {
		t.Fatalf("CV of a stranger: %v", unknown)
	}

	t.Run("json", func(t *testing.T) {
		x := cv
		x.SetIDs(hexID)
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]any{"member": hexID(bob), "name": "Bob", "total_hours": 5.25, "satisfied": 1.0} {
			if m[k] != want {
				t.Errorf("%s: %v, want %v", k, m[k], want)
			}
		}
		tb := m["time_bank"].([]any)[1].(map[string]any)
		if tb["counterparty"] != hexID(founder) || tb["review"].(map[string]any)["satisfied"] != true {
			t.Errorf("time-bank line: %v", tb)
		}
		// A CV decoded from JSON (keys dropped, IDs kept) exports alike.
		var back reputation.CV
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		var b1, b2 strings.Builder
		if err := reputation.WriteCVCSV(&b1, cv, hexID); err != nil {
			t.Fatal(err)
		}
		if err := reputation.WriteCVCSV(&b2, back, nil); err != nil {
			t.Fatal(err)
		}
		j1, _ := json.Marshal(reputation.CVJSONLD(cv, hexID))
		j2, _ := json.Marshal(reputation.CVJSONLD(back, nil))
		if b1.String() != b2.String() || string(j1) != string(j2) {
			t.Errorf("exports of a CV decoded from JSON differ:\n%s\n%s\n%s\n%s", b1.String(), b2.String(), j1, j2)
		}
	})

	t.Run("csv", func(t *testing.T) {
		var b strings.Builder
		if err := reputation.WriteCVCSV(&b, cv, hexID); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+2+2 || !slices.Equal(rows[0], reputation.CVCSVHeader) {
			t.Fatalf("rows: %q", rows)
		}
		col := func(row []string, name string) string { return row[slices.Index(reputation.CVCSVHeader, name)] }
		want := []map[string]string{
			{"kind": "contribution", "skill": "archiving", "minutes": "60", "hours": "1", "guild": "Library", "reviews": "0", "avg_quality": ""},
			{"kind": "contribution", "id": c.String(), "date": "2023-11-05", "skill": "gardening", "minutes": "150", "hours": "2.5",
				"description": "'=HYPERLINK(\"x\") planted hedges", "counterparties": hexID(both[0]) + " " + hexID(both[1]),
				"guild": "Garden guild", "link": "https://example.org/hedge", "reviews": "1", "avg_quality": "4", "avg_impact": "5"},
			{"kind": "time-bank", "skill": "plumbing", "minutes": "45", "hours": "0.75", "counterparties": hexID(founder), "satisfied": ""},
			{"kind": "time-bank", "skill": "gardening", "minutes": "60", "hours": "1", "description": "weeding",
				"counterparties": hexID(founder), "satisfied": "yes", "review_note": "tidy work"},
		}
		for i, w := range want {
			for k, v := range w {
				if got := col(rows[i+1], k); got != v {
					t.Errorf("row %d %s: %q, want %q", i+1, k, got, v)
				}
			}
		}
		if id := col(rows[3], "id"); !strings.HasSuffix(id, "/0") {
			t.Errorf("time-bank id %q", id)
		}
	})

	t.Run("json-ld", func(t *testing.T) {
		b, err := json.Marshal(reputation.CVJSONLD(cv, hexID))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		ctx := doc["@context"].(map[string]any)
		if ctx["vf"] != "https://w3id.org/valueflows/ont/vf#" || ctx["om2"] != "http://www.ontology-of-units-of-measure.org/resource/om-2/" {
			t.Fatalf("context: %v", ctx)
		}
		me := "commons:member:" + hexID(bob)
		byID := map[string]map[string]any{}
		var events, appreciations int
		for _, n := range doc["@graph"].([]any) {
			node := n.(map[string]any)
			byID[node["@id"].(string)] = node
			switch node["@type"] {
			case "vf:EconomicEvent":
				events++
				if node["vf:action"] != "work" || node["vf:provider"] != me {
					t.Errorf("event: %v", node)
				}
				q := node["vf:effortQuantity"].(map[string]any)
				if q["om2:hasUnit"] != "om2:hour" || q["om2:hasNumericalValue"].(float64) <= 0 {
					t.Errorf("effort: %v", q)
				}
				if _, err := time.Parse(time.RFC3339, node["vf:hasPointInTime"].(string)); err != nil {
					t.Errorf("time: %v", err)
				}
				if !strings.HasPrefix(node["vf:resourceClassifiedAs"].(string), "commons:skill:") || node["vf:resourceConformsTo"] == nil {
					t.Errorf("skill: %v", node)
				}
			case "vf:Appreciation":
				appreciations++
				if _, ok := node["vf:note"].(string); !ok {
					t.Errorf("appreciation without a note: %v", node)
				}
			}
		}
		if events != 4 || appreciations != 2 {
			t.Fatalf("%d events, %d appreciations", events, appreciations)
		}
		ev := byID["commons:contribution:"+c.String()]
		if ev == nil || ev["vf:hasPointInTime"] != "2023-11-05T00:00:00Z" || ev["vf:effortQuantity"].(map[string]any)["om2:hasNumericalValue"] != 2.5 ||
			ev["vf:resourceClassifiedAs"] != "commons:skill:gardening" || len(ev["vf:receiver"].([]any)) != 2 {
			t.Fatalf("contribution event: %v", ev)
		}
		var ap map[string]any
		for _, n := range byID {
			if n["@type"] == "vf:Appreciation" && n["vf:note"] == "lovely" {
				ap = n
			}
		}
		if ap == nil || ap["vf:appreciationOf"] != ev["@id"] || ap["commons:reviewer"] != "commons:member:"+hexID(founder) {
			t.Fatalf("appreciation: %v", ap)
		}
		if byID[me]["@type"] != "vf:Person" || byID[me]["vf:name"] != "Bob" {
			t.Fatalf("person: %v", byID[me])
		}
	})
}

// contribSim adds contributions and reviews to a sim's random society
// history (joins, revocations, departures, removals, forks, invalid
// records), including records every peer must reject.
type contribSim struct {
	*sim
	made []simContribution
}

type simContribution struct {
	cid    cid.Cid
	member *simMember
}

var simSkills = []string{"gardening", "Plumbing", "childcare", "cooking"}

func (cs *contribSim) step() {
	s := cs.sim
	var act []*simDevice
	for _, d := range s.active() {
		if d.anchored {
			act = append(act, d)
		}
	}
	if len(act) == 0 {
		s.step()
		return
	}
	d := s.pick(act)
	me := d.member.key.Public().(ed25519.PublicKey)
	switch p := s.rng.IntN(10); {
	case p < 4 || len(cs.made) == 0: // a contribution
		c := contrib.Contribution{What: "work", Skill: simSkills[s.rng.IntN(len(simSkills))], Minutes: uint64(1 + s.rng.IntN(600)),
			Date: time.Date(2023, 11, 1+s.rng.IntN(10), 0, 0, 0, 0, time.UTC).Format(contrib.DateLayout)}
		for _, m := range s.members {
			if k := m.key.Public().(ed25519.PublicKey); m.admitted && !bytes.Equal(k, me) && s.rng.IntN(4) == 0 {
				c.Beneficiaries = append(c.Beneficiaries, k)
			}
		}
		if s.rng.IntN(3) == 0 {
			c.Beneficiaries = append(c.Beneficiaries, membership.Community)
		}
		slices.SortFunc(c.Beneficiaries, bytes.Compare)
		if len(c.Beneficiaries) == 0 || s.rng.IntN(3) == 0 {
			c.Guild = "guild"
		}
		cs.made = append(cs.made, simContribution{cid: s.emit(d, contrib.TypeContribution, c, nil), member: d.member})
	case p < 9: // a review, often a repeated one
		c := cs.made[s.rng.IntN(len(cs.made))]
		if c.member == d.member {
			return
		}
		s.emit(d, contrib.TypeReview, review(c.cid, uint64(1+s.rng.IntN(5)), uint64(1+s.rng.IntN(5)), "r"), []cid.Cid{c.cid})
	default: // refused everywhere: a self-review or a bad rating
		c := cs.made[s.rng.IntN(len(cs.made))]
		dd := d
		for _, x := range act {
			if x.member == c.member {
				dd = x
			}
		}
		q := uint64(3)
		if dd.member != c.member {
			q = 6
		}
		raw, rc := s.sign(dd, contrib.TypeReview, review(c.cid, q, 3, ""), []cid.Cid{c.cid}, dd.seq+1, dd.head)
		s.raws = append(s.raws, raw)
		s.cids = append(s.cids, rc)
		s.bad[rc] = true
	}
}

func TestContributionConvergence(t *testing.T) {
	runs := []struct {
		seed uint64
		calm bool // no revocations, departures, forks: more records take effect
		// least contributions and reviewed contributions in effect, so
		// that the run means something
		minContribs, minReviewed int
	}{{21, false, 20, 5}, {22, true, 100, 50}}
	if testing.Short() {
		runs = runs[:1]
	}
	for _, run := range runs {
		seed := run.seed
		cs := &contribSim{sim: newSim(seed)}
		cs.calm = run.calm
		cs.genesis()
		for len(cs.raws) < 1500 {
			if cs.rng.IntN(10) < 4 {
				cs.step()
			} else {
				cs.sim.step()
			}
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		orders := []struct {
			name  string
			order []int
		}{
			{"as generated", seqOrder(len(cs.raws))},
			{"causal shuffle 1", causalOrder(cs.sim, rng)},
			{"causal shuffle 2", causalOrder(cs.sim, rng)},
			{"uniform shuffle", rng.Perm(len(cs.raws))},
		}
		var want crdt.StateHash
		for i, o := range orders {
			st := openStore(t)
			deliver(t, st, cs.sim, o.order, rng)
			for c := range cs.bad {
				if _, err := st.Record(c); err == nil {
					t.Fatalf("seed %d %s: invalid record %s stored", seed, o.name, c)
				}
			}
			h, _, err := st.State(cs.soc)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want = h
				var all []contrib.ContributionView
				var reviewed, reviews uint64
				if err := st.View(cs.soc, func(r *crdt.Reader) error {
					var err error
					if all, err = contrib.Contributions(r, contrib.ContributionQuery{}); err != nil {
						return err
					}
					for _, c := range all {
						id, _ := cid.Cast(c.ID)
						rs, err := contrib.ReviewsOf(r, id)
						if err != nil {
							return err
						}
						if uint64(len(rs)) != c.Reviews {
							return errors.New("review count differs from the reviews listed")
						}
						var qs uint64
						for _, rv := range rs {
							qs += rv.Quality
						}
						if qs != c.QualitySum {
							return errors.New("quality sum differs from the reviews listed")
						}
						if c.Reviews > 0 {
							reviewed++
						}
						reviews += c.Reviews
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				t.Logf("seed %d: %d records, %d contributions in effect of %d made, %d reviewed, %d reviews in effect",
					seed, len(cs.raws), len(all), len(cs.made), reviewed, reviews)
				if len(all) < run.minContribs || int(reviewed) < run.minReviewed {
					t.Fatalf("seed %d: too little traffic", seed)
				}
			} else if h != want {
				t.Fatalf("seed %d %s: state %s, want %s", seed, o.name, h, want)
			}
			if err := st.Rebuild(cs.soc); err != nil {
				t.Fatal(err)
			}
			if h2, _, _ := st.State(cs.soc); h2 != want {
				t.Fatalf("seed %d %s: rebuilt state %s differs from %s", seed, o.name, h2, want)
			}
		}
	}
}

// TestRevokedContributionTakesNoEffect: a contribution written by a device
// concurrently with its revocation, and the reviews of it, take no effect,
// whichever arrives first.
func TestRevokedContributionTakesNoEffect(t *testing.T) {
	f := newContribFixture(t)
	base := len(f.s.raws)
	cut := f.bob.seq
	c := f.s.emit(f.bob, contrib.TypeContribution, work("gardening", 60, "2023-11-10", mkey(f.founder)), nil)
	contribution := f.s.raws[len(f.s.raws)-1]
	f.s.emit(f.carol, contrib.TypeReview, review(c, 5, 5, ""), []cid.Cid{c})
	rev := f.s.raws[len(f.s.raws)-1]
	revoke, _ := emitExact(f.s, f.founder, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: f.bob.key.Public().(ed25519.PublicKey), After: cut})
	var hashes []crdt.StateHash
	for _, order := range [][][]byte{{contribution, rev, revoke}, {revoke, contribution, rev}, {contribution, revoke, rev}} {
		st := openStore(t)
		if _, err := st.Ingest(f.s.soc, f.s.raws[:base]); err != nil {
			t.Fatal(err)
		}
		for _, raw := range order {
			if res, err := st.Ingest(f.s.soc, [][]byte{raw}); err != nil || len(res.Applied) != 1 {
				t.Fatalf("%+v %v", res, err)
			}
		}
		if err := st.View(f.s.soc, func(r *crdt.Reader) error {
			_, ok, err := contrib.ContributionByID(r, c)
			if err != nil || ok {
				t.Fatalf("revoked device's contribution took effect: %v", err)
			}
			list, err := contrib.Contributions(r, contrib.ContributionQuery{Member: mkey(f.bob)})
			if err != nil || len(list) != 0 {
				t.Fatalf("contributions %v %v", list, err)
			}
			rs, err := contrib.ReviewsBy(r, mkey(f.carol), 0)
			if err != nil || len(rs) != 0 {
				t.Fatalf("reviews by Carol %v %v", rs, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		h, _, _ := st.State(f.s.soc)
		hashes = append(hashes, h)
	}
	if hashes[0] != hashes[1] || hashes[0] != hashes[2] {
		t.Fatalf("orders disagree: %v", hashes)
	}
}
