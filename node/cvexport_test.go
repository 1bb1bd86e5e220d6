package node

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/commons-society/commons/ledger/reputation"
)

// TestCVExports checks that the node's CV writers give what the ledger's
// give on the CV an API call returns, and that their output decodes.
func TestCVExports(t *testing.T) {
	w := newContribWorld(t)
	gate := w.add(t, "Bob", ContributionRequest{What: "Fixed the gate", Skill: "carpentry", Minutes: 120, For: []string{"Alice"}})
	w.review(t, "Alice", ReviewRequest{ID: gate.ID, Quality: 4, Impact: 5, Note: "=sturdy"})
	res, err := w.ps["Alice"].CV(CVRequest{Society: w.soc, Member: "Bob"})
	if err != nil {
		t.Fatal(err)
	}

	var got, want bytes.Buffer
	if err := WriteCVCSV(&got, res); err != nil {
		t.Fatal(err)
	}
	if err := reputation.WriteCVCSV(&want, res.CV, nil); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("CSV\n%s\nwant\n%s", got.String(), want.String())
	}
	rows, err := csv.NewReader(&got).ReadAll()
	if err != nil || len(rows) != 2 || !reflect.DeepEqual(rows[0], reputation.CVCSVHeader) || rows[1][0] != "contribution" {
		t.Fatalf("CSV rows %q, %v", rows, err)
	}

	var js bytes.Buffer
	if err := WriteCVJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	var back reputation.CV
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "Bob" || len(back.Contributions) != 1 || len(back.Reviews) != 1 || back.MemberID != w.id("Bob") {
		t.Fatalf("JSON CV %+v", back)
	}

	var ld bytes.Buffer
	if err := WriteCVJSONLD(&ld, res); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(ld.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	wantLD, err := json.Marshal(reputation.CVJSONLD(res.CV, nil))
	if err != nil {
		t.Fatal(err)
	}
	var wantDoc map[string]any
	if err := json.Unmarshal(wantLD, &wantDoc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, wantDoc) {
		t.Fatalf("JSON-LD\n%s\nwant\n%s", ld.String(), wantLD)
	}
	if g, ok := doc["@graph"].([]any); !ok || len(g) != 3 { // the person, the event, the review
		t.Fatalf("JSON-LD graph %v", doc["@graph"])
	}

	for name, fn := range map[string]func() error{
		"json":   func() error { return WriteCVJSON(&js, nil) },
		"csv":    func() error { return WriteCVCSV(&js, nil) },
		"jsonld": func() error { return WriteCVJSONLD(&js, nil) },
	} {
		if err := fn(); err == nil {
			t.Errorf("%s: a nil CV was written", name)
		}
	}
}
