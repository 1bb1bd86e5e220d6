//go:build unix

package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/reputation"
	"github.com/commons-society/commons/node"
)

// cvOf runs 'cv --json' as h and decodes it.
func cvOf(t *testing.T, h home, args ...string) reputation.CV {
	t.Helper()
	r := h.ok(t, append([]string{"cv", "--json"}, args...)...)
	var cv reputation.CV
	if err := json.Unmarshal([]byte(r.stdout), &cv); err != nil {
		t.Fatalf("cv --json is not a CV: %v\n%s", err, r.stdout)
	}
	return cv
}

// TestContribCommands: the contribution ledger's commands between two
// homes that exchange CAR files, and their refusals.
func TestContribCommands(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice, bob := newHome(t), newHome(t)
	bob.dir += "-bob"
	aliceID := memberLine(t, alice.ok(t, "init", "--name", "Alice"))
	bobID := memberLine(t, bob.ok(t, "init", "--name", "Bob"))
	soc := alice.ok(t, "society", "create", "Oak").last()
	code := alice.ok(t, "invite").last()
	carry(t, alice, bob)
	bob.ok(t, "join", code)
	carry(t, bob, alice)
	carry(t, alice, bob)

	before := alice.ok(t, "status", "--json").stdout
	add := func(extra ...string) []string {
		return append([]string{"contrib", "add", "--what", "Weeding", "--skill", "gardening", "--minutes", "30"}, extra...)
	}
	refuses(t, alice, []cliCase{
		{"no subcommand", []string{"contrib"}, 2, "contrib add|review|list|show"},
		{"unknown subcommand", []string{"contrib", "lend"}, 2, "unknown subcommand"},
		{"unknown flag", add("--when", "today"), 2, "there is no option --when for this command"},
		{"add without --what", []string{"contrib", "add", "--skill", "x", "--minutes", "5"}, 2, "--what is required"},
		{"add without --skill", []string{"contrib", "add", "--what", "x", "--minutes", "5"}, 2, "--skill is required"},
		{"add without minutes", []string{"contrib", "add", "--what", "x", "--skill", "x"}, 2, "--minutes (or --hours)"},
		{"minutes and hours", add("--hours", "1"), 2, "not both"},
		{"bad hours", []string{"contrib", "add", "--what", "x", "--skill", "x", "--hours", "lots"}, 2, `--hours "lots"`},
		{"too many minutes", []string{"contrib", "add", "--what", "x", "--skill", "x", "--minutes", "44641"}, 2, "1 to 44640 minutes (744 h)"},
		{"bad date", add("--date", "10/01/2026"), 2, `--date "10/01/2026" is not a day written YYYY-MM-DD`},
		{"extra argument", add("Bob"), 2, "want 0 argument"},
		{"review without ID", []string{"contrib", "review", "--quality", "3", "--impact", "3"}, 2, "want 1 argument"},
		{"review without quality", []string{"contrib", "review", "bafyx", "--impact", "3"}, 2, "--quality 1 to 5 is required"},
		{"review impact 6", []string{"contrib", "review", "bafyx", "--quality", "3", "--impact", "6"}, 2, "--impact 1 to 5 is required (got 6)"},
		{"review with a word", []string{"contrib", "review", "bafyx", "--quality", "good", "--impact", "3"}, 2, "-quality"},
		{"list limit 0", []string{"contrib", "list", "--limit", "0"}, 2, "--limit must be at least 1"},
		{"show without ID", []string{"contrib", "show"}, 2, "want 1 argument"},
		{"cv in two formats", []string{"cv", "--json", "--csv"}, 2, "one of --json, --csv, --jsonld"},
		{"cv of two", []string{"cv", "Alice", "Bob"}, 2, "at most one MEMBER"},
		{"ftp link", add("--link", "ftp://example.org/x"), 1, `link "ftp://example.org/x" is not an http(s) URL`},
		{"unknown beneficiary", add("--for", "Zed"), 1, `no member "Zed"`},
		{"oneself as beneficiary", add("--for", "Bob,alice"), 1, "you cannot name yourself as a beneficiary"},
		{"future date", add("--date", "2999-01-01"), 1, "after today"},
		{"not an ID", []string{"contrib", "review", "nope", "--quality", "3", "--impact", "3"}, 1, "not a contribution ID"},
		{"unknown contribution", []string{"contrib", "show", soc}, 1, "no contribution"},
		{"unknown member's CV", []string{"cv", "Zed"}, 1, `no member "Zed"`},
		{"unknown member's list", []string{"contrib", "list", "--member", "Zed"}, 1, `no member "Zed"`},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("refused commands changed the state:\n%s\n%s", before, after)
	}

	// Alice records two contributions.
	r := alice.ok(t, "contrib", "add", "--what", "Pruned the hedges", "--skill", "Gardening", "--hours", "1.5", "--date", "2026-01-10",
		"--link", "https://example.org/hedges", "--for", "Bob", "--for", "community", "--guild", "Green")
	hedges := r.last()
	if !strings.HasPrefix(hedges, "bafy") || !strings.Contains(r.stdout, "recorded: Alice: Pruned the hedges (gardening, 1 h 30 min on 2026-01-10)") {
		t.Fatalf("contrib add printed %q", r.stdout)
	}
	today := time.Now().Format(contrib.DateLayout)
	soup := alice.ok(t, "contrib", "add", "--what", "Soup for the meeting", "--skill", "cooking", "--minutes", "30").last()
	var list []node.ContributionInfo
	if err := json.Unmarshal([]byte(alice.ok(t, "contrib", "list", "--json").stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != soup || list[1].ID != hedges || list[1].Member != aliceID || list[1].Minutes != 90 ||
		list[1].Guild != "Green" || list[1].Link != "https://example.org/hedges" || len(list[1].For) != 2 || len(list[1].Reviews) != 0 {
		t.Fatalf("contrib list --json: %+v", list)
	}
	if d := list[0].Date; d != today && d != time.Now().Format(contrib.DateLayout) {
		t.Fatalf("the default date is %s, want today (%s)", d, today)
	}
	if !slices.Contains(list[1].For, node.AccountRef{ID: bobID, Name: "Bob"}) ||
		!slices.Contains(list[1].For, node.AccountRef{ID: node.CommunityAccount, Name: node.CommunityAccount}) {
		t.Fatalf("hedges were for %+v", list[1].For)
	}
	if err := json.Unmarshal([]byte(alice.ok(t, "contrib", "list", "--skill", "COOKING", "--json").stdout), &list); err != nil || len(list) != 1 || list[0].ID != soup {
		t.Fatalf("contrib list --skill: %+v, %v", list, err)
	}

	// Bob reviews the hedges, then reviews them again; he cannot review
	// his own work.
	carry(t, alice, bob)
	r = bob.ok(t, "contrib", "review", hedges, "--quality", "3", "--impact", "4", "--note", "a bit ragged")
	if r.last() != hedges || !strings.Contains(r.stdout, "reviewed Alice: Pruned the hedges") || strings.Contains(r.stdout, "replaces") {
		t.Fatalf("contrib review printed %q", r.stdout)
	}
	r = bob.ok(t, "contrib", "review", hedges, "--quality", "5", "--impact", "4", "--note", "tidy after all")
	if r.last() != hedges || !strings.Contains(r.stdout, "quality 5, impact 4") || !strings.Contains(r.stdout, "this replaces your earlier review") ||
		!strings.Contains(r.stdout, "(quality 3, impact 4)") {
		t.Fatalf("second contrib review printed %q", r.stdout)
	}
	gate := bob.ok(t, "contrib", "add", "--what", "Fixed the gate", "--skill", "carpentry", "--minutes", "45", "--for", "Alice").last()
	if r := runCLI(t, bob.dir, bob.pass, "contrib", "review", gate, "--quality", "5", "--impact", "5"); r.code != 1 ||
		!strings.Contains(r.stderr, "you cannot review your own contribution") {
		t.Fatalf("self-review: exit %d, %q", r.code, r.stderr)
	}
	// And Alice provides Bob an hour of gardening in the time bank.
	carry(t, bob, alice)
	tx := alice.ok(t, "hours", "give", "--to", "Bob", "--hours", "1", "--skill", "gardening", "--note", "weeding").last()
	carry(t, alice, bob)
	bob.ok(t, "hours", "confirm", tx, "--review", "satisfied", "--review-note", "weedless")
	carry(t, bob, alice)

	out := alice.ok(t, "contrib", "show", hedges).stdout
	for _, want := range []string{"contribution " + hedges, "Alice (" + aliceID + ")", "Pruned the hedges", "1 h 30 min on 2026-01-10",
		"for       ", "Bob", "the community account", "guild     Green", "https://example.org/hedges", "1 review: quality 5, impact 4",
		"Bob, ", ": quality 5, impact 4: tidy after all"} {
		if !strings.Contains(out, want) {
			t.Fatalf("contrib show lacks %q:\n%s", want, out)
		}
	}
	var shown node.ContributionInfo
	if err := json.Unmarshal([]byte(alice.ok(t, "contrib", "show", hedges, "--json").stdout), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.ID != hedges || len(shown.Reviews) != 1 || shown.Reviews[0].Reviewer != bobID || shown.Reviews[0].Quality != 5 ||
		shown.AvgImpact != 4 || shown.Replaced != nil {
		t.Fatalf("contrib show --json: %+v", shown)
	}
	if out := alice.ok(t, "contrib", "list", "--member", "Bob").stdout; !strings.Contains(out, "Bob: Fixed the gate (carpentry, 45 min on ") ||
		!strings.Contains(out, "for Alice; not reviewed; "+gate) || strings.Contains(out, hedges) {
		t.Fatalf("contrib list --member Bob printed %q", out)
	}

	// Alice's CV, in each format.
	out = alice.ok(t, "cv").stdout
	for _, want := range []string{"CV of Alice (" + aliceID + "), active", "3 h: 2 h of contributions, 1 h in the time bank",
		"half-life 365 days", "1 satisfied, 0 unsatisfied", "SKILL", "gardening", "cooking", "2026-01-10  gardening, 1 h 30 min: Pruned the hedges",
		"services in the time bank", "1 h for Bob: weeding (satisfied: weedless)", "reviews received",
		`Bob on "Pruned the hedges": quality 5, impact 4: tidy after all`} {
		if !strings.Contains(out, want) {
			t.Fatalf("cv lacks %q:\n%s", want, out)
		}
	}
	// Cooking has no reviews: no quality or impact is shown for it (the
	// score counts it as average, 3, which is no rating).
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "cooking" &&
			(!strings.Contains(line, "no reviews") || strings.Contains(line, "3.00")) {
			t.Fatalf("cv's cooking row shows a rating without reviews: %q", line)
		}
	}
	cv := cvOf(t, alice)
	if c := cv.Reputation[0]; c.Skill != "cooking" || c.Reviews != 0 {
		t.Fatalf("cv --json cooking: %+v", c)
	}
	if raw := alice.ok(t, "cv", "--json").stdout; !strings.Contains(raw, `"skill": "cooking"`) || !strings.Contains(raw, `"reviews": 0`) {
		t.Fatalf("cv --json does not say cooking has 0 reviews:\n%s", raw)
	}
	if cv.MemberID != aliceID || cv.Name != "Alice" || cv.TotalHours != 3 || cv.ContributionHours != 2 || cv.TimeBankHours != 1 ||
		!reflect.DeepEqual(cv.Skills, []string{"cooking", "gardening"}) || len(cv.Reputation) != 2 || cv.Score <= 0 ||
		len(cv.Contributions) != 2 || len(cv.TimeBank) != 1 || len(cv.Reviews) != 1 || len(cv.TransferReviews) != 1 {
		t.Fatalf("cv --json: %+v", cv)
	}
	if g := cv.Reputation[1]; g.Skill != "gardening" || g.Hours != 2.5 || g.Reviews != 1 || math.Abs(g.AvgQuality-5) > 1e-9 || g.Satisfied != 1 {
		t.Fatalf("cv --json gardening: %+v", g)
	}
	if cv.Reviews[0].ReviewerID != bobID || cv.TimeBank[0].CounterpartyID != bobID || cv.TimeBank[0].Transfer != tx {
		t.Fatalf("cv --json names: reviews %+v, time bank %+v", cv.Reviews, cv.TimeBank)
	}
	if other := cvOf(t, bob, "Alice"); other.TotalHours != cv.TotalHours || len(other.Contributions) != 2 {
		t.Fatalf("Alice's CV on Bob's device: %+v", other)
	}

	rows, err := csv.NewReader(strings.NewReader(alice.ok(t, "cv", "--csv").stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !reflect.DeepEqual(rows[0], reputation.CVCSVHeader) {
		t.Fatalf("cv --csv: %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[row[col["id"]]] = row
	}
	if row := byID[hedges]; row == nil || row[col["kind"]] != "contribution" || row[col["date"]] != "2026-01-10" || row[col["skill"]] != "gardening" ||
		row[col["minutes"]] != "90" || row[col["hours"]] != "1.5" || row[col["description"]] != "Pruned the hedges" || row[col["guild"]] != "Green" ||
		row[col["reviews"]] != "1" || row[col["avg_quality"]] != "5" || row[col["avg_impact"]] != "4" ||
		!strings.Contains(row[col["counterparties"]], bobID) || !strings.Contains(row[col["counterparties"]], reputation.CommunityID) {
		t.Fatalf("cv --csv hedges row: %q", row)
	}
	if row := byID[tx+"/0"]; row == nil || row[col["kind"]] != "time-bank" || row[col["minutes"]] != "60" || row[col["counterparties"]] != bobID ||
		row[col["satisfied"]] != "yes" || row[col["review_note"]] != "weedless" {
		t.Fatalf("cv --csv time-bank row: %q (rows %q)", row, rows)
	}

	var ld struct {
		Context map[string]any   `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal([]byte(alice.ok(t, "cv", "--jsonld").stdout), &ld); err != nil {
		t.Fatal(err)
	}
	if ld.Context["vf"] != reputation.NSValueFlows || len(ld.Graph) == 0 || ld.Graph[0]["@type"] != "vf:Person" ||
		ld.Graph[0]["@id"] != "commons:member:"+aliceID || ld.Graph[0]["vf:name"] != "Alice" {
		t.Fatalf("cv --jsonld: %+v", ld)
	}
	types := map[string]int{}
	for _, n := range ld.Graph {
		types[n["@type"].(string)]++
		if n["@id"] == "commons:contribution:"+hedges {
			q := n["vf:effortQuantity"].(map[string]any)
			if q["om2:hasNumericalValue"] != 1.5 || n["vf:action"] != "work" || n["vf:provider"] != "commons:member:"+aliceID {
				t.Fatalf("cv --jsonld hedges: %+v", n)
			}
		}
	}
	if types["vf:EconomicEvent"] != 3 || types["vf:Appreciation"] != 2 {
		t.Fatalf("cv --jsonld types: %v", types)
	}

	// Bob's CV, asked for by name on Alice's device.
	if b := cvOf(t, alice, "bob"); b.MemberID != bobID || len(b.Contributions) != 1 || b.Contributions[0].ID != gate ||
		b.ContributionHours != 0.75 || b.TimeBankHours != 0 || len(b.TimeBank) != 0 {
		t.Fatalf("Bob's cv --json: %+v", b)
	}
}
