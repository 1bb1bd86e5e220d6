package tally

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// groups expands "weight × ballot" rows into ballots, with voters named by
// row and index.
func groups(rows ...struct {
	n int
	b Ballot
}) []Ballot {
	var out []Ballot
	for r, row := range rows {
		for i := 0; i < row.n; i++ {
			b := row.b
			b.Voter = fmt.Sprintf("v%d.%d", r, i)
			if b.Weight == 0 {
				b.Weight = 1
			}
			out = append(out, b)
		}
	}
	return out
}

type row = struct {
	n int
	b Ballot
}

func rank(s string) Ballot { return Ballot{Rank: strings.Split(s, ",")} }

// tennessee is the "Tennessee capital" example used throughout Wikipedia's
// voting-method articles: 100 voters in four cities, each ranking by
// distance from home.
func tennessee() ([]string, []Ballot) {
	return []string{"Memphis", "Nashville", "Chattanooga", "Knoxville"}, groups(
		row{42, rank("Memphis,Nashville,Chattanooga,Knoxville")},
		row{26, rank("Nashville,Chattanooga,Knoxville,Memphis")},
		row{15, rank("Chattanooga,Knoxville,Nashville,Memphis")},
		row{17, rank("Knoxville,Chattanooga,Nashville,Memphis")},
	)
}

func counts(cs []Count) string {
	var s []string
	for _, c := range cs {
		s = append(s, fmt.Sprintf("%s %d", c.Option, c.Votes))
	}
	return strings.Join(s, ", ")
}

// TestIRVTennessee: Wikipedia, "Instant-runoff voting", Tennessee example:
// Chattanooga is eliminated first (15), then Nashville (26), whose
// ballots go to Knoxville, which wins 58 to 42.
func TestIRVTennessee(t *testing.T) {
	opts, ballots := tennessee()
	res := IRV(opts, ballots)
	want := []struct {
		counts     string
		eliminated string
		elected    []string
	}{
		{"Memphis 42, Nashville 26, Knoxville 17, Chattanooga 15", "Chattanooga", nil},
		{"Memphis 42, Knoxville 32, Nashville 26", "Nashville", nil},
		{"Knoxville 58, Memphis 42", "", []string{"Knoxville"}},
	}
	if len(res.Rounds) != len(want) {
		t.Fatalf("rounds = %+v, want %d", res.Rounds, len(want))
	}
	for i, w := range want {
		r := res.Rounds[i]
		if got := counts(r.Counts); got != w.counts || r.Eliminated != w.eliminated || !slices.Equal(r.Elected, w.elected) {
			t.Errorf("round %d: %s, eliminated %q, elected %v; want %s, %q, %v", i+1, got, r.Eliminated, r.Elected, w.counts, w.eliminated, w.elected)
		}
	}
	if !slices.Equal(res.Winners, []string{"Knoxville"}) {
		t.Errorf("winners %v", res.Winners)
	}
}

// TestScoreTennesseeBorda: Wikipedia, "Borda count", Tennessee example
// (3, 2, 1 and 0 points by rank): Nashville 194, Chattanooga 173, Memphis
// 126, Knoxville 107. Given as score ballots, the score count must agree.
func TestScoreTennesseeBorda(t *testing.T) {
	opts, ranked := tennessee()
	var ballots []Ballot
	for _, b := range ranked {
		var pts []Point
		for i, o := range b.Rank {
			pts = append(pts, Point{Option: o, N: int64(3 - i)})
		}
		ballots = append(ballots, Ballot{Voter: b.Voter, Weight: 1, Points: pts})
	}
	res := Score(opts, ballots, 1)
	if got := counts(res.Counts); got != "Nashville 194, Chattanooga 173, Memphis 126, Knoxville 107" {
		t.Errorf("counts = %s", got)
	}
	if !slices.Equal(res.Winners, []string{"Nashville"}) || res.Tied {
		t.Errorf("winners %v tied %v", res.Winners, res.Tied)
	}
}

// TestSchulzeWikipedia: Wikipedia, "Schulze method", the example with 45
// voters and five candidates: the strongest paths and the ranking
// E > A > C > B > D.
func TestSchulzeWikipedia(t *testing.T) {
	opts := []string{"A", "B", "C", "D", "E"}
	ballots := groups(
		row{5, rank("A,C,B,E,D")},
		row{5, rank("A,D,E,C,B")},
		row{8, rank("B,E,D,A,C")},
		row{3, rank("C,A,B,E,D")},
		row{7, rank("C,A,E,B,D")},
		row{2, rank("C,B,A,D,E")},
		row{7, rank("D,C,E,B,A")},
		row{8, rank("E,B,A,D,C")},
	)
	res := Schulze(opts, ballots)
	wantPaths := [][]int64{
		{0, 28, 28, 30, 24},
		{25, 0, 28, 33, 24},
		{25, 29, 0, 29, 24},
		{25, 28, 28, 0, 24},
		{25, 28, 28, 31, 0},
	}
	for i := range wantPaths {
		if !slices.Equal(res.Paths[i], wantPaths[i]) {
			t.Errorf("paths from %s = %v, want %v", opts[i], res.Paths[i], wantPaths[i])
		}
	}
	if got := strings.Join(res.Ranking, ">"); got != "E>A>C>B>D" {
		t.Errorf("ranking %s", got)
	}
	if !slices.Equal(res.Winners, []string{"E"}) {
		t.Errorf("winners %v", res.Winners)
	}
	// The Tennessee example has a Condorcet winner, Nashville.
	topts, tb := tennessee()
	if w := Schulze(topts, tb).Winners; !slices.Equal(w, []string{"Nashville"}) {
		t.Errorf("Tennessee Schulze winners %v, want Nashville", w)
	}
}

// TestSTVWikipedia: Wikipedia, "Single transferable vote", the example of
// choosing three foods for a party among 20 voters: the Droop quota is 6;
// Chocolate is elected with 12 and its surplus of 6 moves on at 1/2
// (Strawberries 1 → 5, Hamburgers 1 → 3); Pears are eliminated and go to
// Oranges (6, elected); Hamburgers are eliminated and Strawberries take
// the last seat.
func TestSTVWikipedia(t *testing.T) {
	opts := []string{"Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"}
	ballots := groups(
		row{4, rank("Oranges")},
		row{2, rank("Pears,Oranges")},
		row{8, rank("Chocolate,Strawberries")},
		row{4, rank("Chocolate,Hamburgers")},
		row{1, rank("Strawberries")},
		row{1, rank("Hamburgers")},
	)
	res := STV(opts, ballots, 3)
	if res.Quota != 6*STVScale {
		t.Errorf("quota %d", res.Quota)
	}
	if got := strings.Join(res.Winners, ","); got != "Chocolate,Oranges,Strawberries" {
		t.Errorf("winners %s", got)
	}
	s := int64(STVScale)
	want := []struct {
		counts     []Count
		elected    []string
		eliminated string
	}{
		{[]Count{{"Chocolate", 12 * s}, {"Oranges", 4 * s}, {"Pears", 2 * s}, {"Strawberries", s}, {"Hamburgers", s}}, []string{"Chocolate"}, ""},
		{[]Count{{"Strawberries", 5 * s}, {"Oranges", 4 * s}, {"Hamburgers", 3 * s}, {"Pears", 2 * s}}, nil, "Pears"},
		{[]Count{{"Oranges", 6 * s}, {"Strawberries", 5 * s}, {"Hamburgers", 3 * s}}, []string{"Oranges"}, ""},
		{[]Count{{"Strawberries", 5 * s}, {"Hamburgers", 3 * s}}, nil, "Hamburgers"},
		{[]Count{{"Strawberries", 5 * s}}, []string{"Strawberries"}, ""},
	}
	if len(res.Rounds) != len(want) {
		t.Fatalf("rounds %+v", res.Rounds)
	}
	for i, w := range want {
		r := res.Rounds[i]
		if !slices.Equal(r.Counts, w.counts) || !slices.Equal(r.Elected, w.elected) || r.Eliminated != w.eliminated {
			t.Errorf("round %d = %+v, want %+v", i+1, r, w)
		}
	}
}

// abcExample1 is Example 1 of Lackner and Skowron, "Multi-Winner Voting
// with Approval Preferences" (Springer, 2023): 12 voters, candidates a–g.
func abcExample1() ([]string, []Ballot) {
	ap := func(s string) Ballot { return Ballot{Approve: strings.Split(s, ",")} }
	return []string{"a", "b", "c", "d", "e", "f", "g"}, groups(
		row{3, ap("a,b")}, row{3, ap("a,c")}, row{2, ap("a,d")},
		row{1, ap("b,c,f")}, row{1, ap("e")}, row{1, ap("f")}, row{1, ap("g")},
	)
}

// TestApprovalABC: approval voting on the same Example 1: a 8, b 4, c 4,
// d 2, f 2, e 1, g 1; the committee of four is {a, b, c} and one of the
// tied d and f (the book lists both committees), here d by option order.
func TestApprovalABC(t *testing.T) {
	opts, ballots := abcExample1()
	res := Approval(opts, ballots, 4)
	if got := counts(res.Counts); got != "a 8, b 4, c 4, d 2, f 2, e 1, g 1" {
		t.Errorf("counts %s", got)
	}
	if !slices.Equal(res.Winners, []string{"a", "b", "c", "d"}) || !res.Tied {
		t.Errorf("winners %v tied %v", res.Winners, res.Tied)
	}
}

// TestEqualSharesABC: Lackner and Skowron, Example 11 (the Method of Equal
// Shares on Example 1, four seats as a budget of 4 with unit costs): the
// first phase funds only a, at 1/8 per supporter, leaving its eight
// supporters 1/3 − 1/8 = 5/24 each, after which no other candidate is
// affordable; with the completion the outcome is {a, b, c, d}, the
// committee the book's completed rule gives.
func TestEqualSharesABC(t *testing.T) {
	opts, ballots := abcExample1()
	var projects []Project
	for _, o := range opts {
		projects = append(projects, Project{Option: o, Cost: 1})
	}
	phase1 := newElection(projects, ballots).run(4)
	if len(phase1) != 1 || phase1[0].Project != "a" {
		t.Fatalf("first phase funds %+v, want only a", phase1)
	}
	// Replay the first phase to read the supporters' shares: units of
	// 1/(12 × 1000) of the budget unit, so 5/24 is 2,500.
	q, ok := payment([]int64{4000}, []int64{8}, []int{0}, 1*12*1000)
	if !ok || 4000-q != 2500 {
		t.Errorf("a's supporters keep %d units, want 2500 (5/24)", 4000-q)
	}
	res := EqualShares(projects, ballots, 4)
	var got []string
	for _, f := range res.Funded {
		got = append(got, f.Project)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b", "c", "d"}) || res.Spent != 4 {
		t.Errorf("funded %v spent %d, want a, b, c, d spending 4", got, res.Spent)
	}
}

// TestEqualSharesProportional: the motivating example of the Method of
// Equal Shares (equalshares.net; Peters, Pierczyński and Skowron): 51% of
// the voters support ten red projects, 49% ten blue ones, and the budget
// buys ten; greedy approval funds the ten red, equal shares five of each.
func TestEqualSharesProportional(t *testing.T) {
	var projects []Project
	var red, blue []string
	for i := 0; i < 10; i++ {
		red = append(red, fmt.Sprintf("red%d", i))
		blue = append(blue, fmt.Sprintf("blue%d", i))
	}
	for _, o := range append(slices.Clone(red), blue...) {
		projects = append(projects, Project{Option: o, Cost: 100})
	}
	ballots := groups(row{51, Ballot{Approve: red}}, row{49, Ballot{Approve: blue}})
	colours := func(r BudgetResult) (nr, nb int) {
		for _, f := range r.Funded {
			if strings.HasPrefix(f.Project, "red") {
				nr++
			} else {
				nb++
			}
		}
		return
	}
	if nr, nb := colours(GreedyBudget(projects, ballots, 1000)); nr != 10 || nb != 0 {
		t.Errorf("greedy funds %d red and %d blue, want 10 and 0", nr, nb)
	}
	res := EqualShares(projects, ballots, 1000)
	if nr, nb := colours(res); nr != 5 || nb != 5 || res.Spent != 1000 {
		t.Errorf("equal shares funds %d red and %d blue spending %d, want 5, 5, 1000", nr, nb, res.Spent)
	}
}

// TestYesNo: majority and two-thirds as Robert's Rules of Order Newly
// Revised (12th ed., 44:1–44:4) define them, "more than half" and "at least
// two thirds" of the votes cast, abstentions not counted; and a minimum
// participation (quorum) as Aragon OSx's token voting has it.
func TestYesNo(t *testing.T) {
	majority := YesNoRule{Quorum: Frac{0, 1}, Threshold: Frac{1, 2}}
	twoThirds := YesNoRule{Quorum: Frac{0, 1}, Threshold: Frac{2, 3}, Inclusive: true}
	quorum := YesNoRule{Quorum: Frac{15, 100}, Threshold: Frac{1, 2}}
	tests := []struct {
		name            string
		rule            YesNoRule
		yes, no, abst   int
		electorate      int64
		passed, quorate bool
	}{
		{"majority: 51 of 100", majority, 51, 49, 0, 200, true, true},
		{"majority: a tie fails", majority, 50, 50, 0, 200, false, true},
		{"majority: abstentions do not count", majority, 3, 2, 40, 200, true, true},
		{"two thirds: 67 to 33", twoThirds, 67, 33, 0, 200, true, true},
		{"two thirds: 66 to 34 fails", twoThirds, 66, 34, 0, 200, false, true},
		{"two thirds: exactly 2 to 1 passes", twoThirds, 2, 1, 0, 200, true, true},
		{"quorum: 14 of 100 voting is too few", quorum, 14, 0, 0, 100, false, false},
		{"quorum: 15 of 100 with abstentions", quorum, 5, 4, 6, 100, true, true},
		{"no votes", majority, 0, 0, 0, 10, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ballots []Ballot
			ballots = append(ballots, groups(row{tt.yes, Ballot{Choice: Yes}}, row{tt.no, Ballot{Choice: No}}, row{tt.abst, Ballot{Choice: Abstain}})...)
			res := CountYesNo(ballots, tt.electorate, tt.rule)
			if res.Passed != tt.passed || res.QuorumMet != tt.quorate {
				t.Errorf("passed %v quorum %v, want %v %v (%+v)", res.Passed, res.QuorumMet, tt.passed, tt.quorate, res)
			}
		})
	}
}

// TestConsentAndConsensus: Loomio's consent process passes unless an
// objection stands; its consensus poll fails on a block.
func TestConsentAndConsensus(t *testing.T) {
	c := CountConsent(groups(row{5, Ballot{Choice: Consent}}, row{1, Ballot{Choice: Object}}))
	if c.Passed || c.Objections != 1 || len(c.Objectors) != 1 {
		t.Errorf("one objection: %+v", c)
	}
	if c := CountConsent(groups(row{5, Ballot{Choice: Consent}})); !c.Passed {
		t.Errorf("no objection: %+v", c)
	}
	tests := []struct {
		rows   []row
		passed bool
	}{
		{[]row{{4, Ballot{Choice: Agree}}, {1, Ballot{Choice: Disagree}}}, true},
		{[]row{{4, Ballot{Choice: Agree}}, {1, Ballot{Choice: Block}}}, false},
		{[]row{{2, Ballot{Choice: Agree}}, {2, Ballot{Choice: Disagree}}, {3, Ballot{Choice: Abstain}}}, false},
	}
	for i, tt := range tests {
		if r := CountConsensus(groups(tt.rows...)); r.Passed != tt.passed {
			t.Errorf("consensus %d: %+v, want passed %v", i, r, tt.passed)
		}
	}
}

// TestQuadratic: Posner and Weyl, "Radical Markets" (2018), ch. 2: casting
// n votes costs n² voice credits (1, 4, 9, …, 100 for 10); votes count
// linearly, negative votes against.
func TestQuadratic(t *testing.T) {
	for n := int64(1); n <= 10; n++ {
		if c := QuadraticCost([]Point{{"x", n}}); c != n*n {
			t.Errorf("%d votes cost %d", n, c)
		}
	}
	if c := QuadraticCost([]Point{{"x", 3}, {"y", -4}}); c != 25 {
		t.Errorf("3 for x and 4 against y cost %d, want 25", c)
	}
	res := Quadratic([]string{"x", "y"}, []Ballot{
		{Voter: "a", Weight: 7, Points: []Point{{"x", 3}, {"y", -4}}},
		{Voter: "b", Weight: 1, Points: []Point{{"y", 5}}},
	}, 1)
	if got := counts(res.Counts); got != "x 3, y 1" {
		t.Errorf("counts %s (weight must be ignored)", got)
	}
}

// TestDelegate: liquid delegation as LiquidFeedback has it: transitive,
// overridden by a direct vote, a cycle counts for nothing.
func TestDelegate(t *testing.T) {
	yes := Ballot{Choice: Yes, Weight: 1}
	no := Ballot{Choice: No, Weight: 1}
	tests := []struct {
		name    string
		direct  map[string]Ballot
		to      map[string]string
		counted map[string]string // voter → choice
		carried map[string]int64
	}{
		{"chain", map[string]Ballot{"c": yes}, map[string]string{"a": "b", "b": "c"},
			map[string]string{"a": Yes, "b": Yes, "c": Yes}, map[string]int64{"c": 2}},
		{"direct vote overrides", map[string]Ballot{"a": no, "c": yes}, map[string]string{"a": "c", "b": "a"},
			map[string]string{"a": No, "b": No, "c": Yes}, map[string]int64{"a": 1}},
		{"cycle counts for nothing", map[string]Ballot{"d": yes}, map[string]string{"a": "b", "b": "c", "c": "a"},
			map[string]string{"d": Yes}, map[string]int64{}},
		{"outside the electorate", map[string]Ballot{"x": yes}, map[string]string{"a": "x"},
			map[string]string{}, map[string]int64{}},
		{"to a member who did not vote", map[string]Ballot{}, map[string]string{"a": "b"},
			map[string]string{}, map[string]int64{}},
	}
	electorate := []string{"a", "b", "c", "d"}
	weight := map[string]int64{"a": 1, "b": 1, "c": 1, "d": 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Delegate(electorate, weight, tt.direct, tt.to)
			got := map[string]string{}
			for _, b := range res.Ballots {
				got[b.Voter] = b.Choice
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.counted) || fmt.Sprint(res.Carried) != fmt.Sprint(tt.carried) {
				t.Errorf("counted %v carried %v, want %v %v", got, res.Carried, tt.counted, tt.carried)
			}
		})
	}
}

// TestEqualSharesApprovals: the approvals equal shares reads from its
// voter groups are those counted ballot by ballot, with few projects (sets
// as bit masks) and with more than 64 (sets by name).
func TestEqualSharesApprovals(t *testing.T) {
	for _, n := range []int{5, 70} {
		t.Run(fmt.Sprint(n, " projects"), func(t *testing.T) {
			projects := make([]Project, n)
			for i := range projects {
				projects[i] = Project{Option: fmt.Sprintf("p%d", i), Cost: int64(10 + i)}
			}
			var ballots []Ballot
			for v := range 400 {
				b := Ballot{Voter: fmt.Sprint(v), Weight: int64(1 + v%3)}
				for i := range n {
					if (v*7+i*13)%5 < 2 {
						b.Approve = append(b.Approve, projects[i].Option)
					}
				}
				ballots = append(ballots, b)
			}
			wantVotes, wantOrder := approvals(projects, ballots)
			gotVotes, gotOrder := newElection(projects, ballots).approvals()
			for _, p := range projects {
				if gotVotes[p.Option] != wantVotes[p.Option] {
					t.Fatalf("%s: %d approvals, want %d", p.Option, gotVotes[p.Option], wantVotes[p.Option])
				}
			}
			if !slices.Equal(gotOrder, wantOrder) {
				t.Fatalf("order %v, want %v", gotOrder, wantOrder)
			}
		})
	}
}
