package ledger_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// fakeGate lets a test say whether records are excluded and their authors
// active, and records what it was asked.
type fakeGate struct {
	excluded, active bool
	checked          []string
}

func (g *fakeGate) Check(_ *crdt.Reader, e *crdt.Entry, check func(m *crdt.Meta) error) (crdt.Meta, error) {
	g.checked = append(g.checked, e.Rec.Type)
	var m crdt.Meta
	err := check(&m)
	return m, err
}

func (g *fakeGate) Effect(*crdt.Views, *crdt.Entry, crdt.Meta) (bool, bool, error) {
	return g.excluded, g.active, nil
}

// trace is a record type whose functions note, in calls, that they ran.
func trace(name string, calls *[]string, anyAuthor bool, exclude bool) ledger.RecordType {
	t := ledger.RecordType{
		Name: name,
		Check: func(_ *crdt.Reader, _ *crdt.Entry, m *crdt.Meta) error {
			*calls = append(*calls, name+".check")
			m.Subject = []byte(name)
			return nil
		},
		Apply: func(*crdt.Views, *crdt.Entry, crdt.Meta) error {
			*calls = append(*calls, name+".apply")
			return nil
		},
		Void: func(*crdt.Views, *crdt.Entry) error {
			*calls = append(*calls, name+".void")
			return nil
		},
		AnyAuthor: anyAuthor,
	}
	if exclude {
		t.Exclude = func(*crdt.Views, *crdt.Entry, crdt.Meta) (bool, error) {
			*calls = append(*calls, name+".exclude")
			return true, nil
		}
	}
	return t
}

func entry(typ string) *crdt.Entry { return &crdt.Entry{Rec: &crdt.Record{Type: typ}} }

func TestNewRefusesBadRegistrations(t *testing.T) {
	ok := func(string) ledger.RecordType {
		var c []string
		return trace("a", &c, false, false)
	}
	tests := []struct {
		name string
		gate ledger.Gate
		mods []ledger.Module
		want string
	}{
		{"no gate", nil, nil, "no gate"},
		{"duplicate type", &fakeGate{}, []ledger.Module{{Name: "m1", Types: []ledger.RecordType{ok("a")}}, {Name: "m2", Types: []ledger.RecordType{ok("a")}}}, `module m2: record type "a" is registered twice`},
		{"no name", &fakeGate{}, []ledger.Module{{Name: "m", Types: []ledger.RecordType{{Check: ok("").Check, Apply: ok("").Apply}}}}, "needs a name, Check and Apply"},
		{"no check", &fakeGate{}, []ledger.Module{{Name: "m", Types: []ledger.RecordType{{Name: "x", Apply: ok("").Apply}}}}, "needs a name, Check and Apply"},
		{"no apply", &fakeGate{}, []ledger.Module{{Name: "m", Types: []ledger.RecordType{{Name: "x", Check: ok("").Check}}}}, "needs a name, Check and Apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ledger.New(tt.gate, tt.mods...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckDispatchesThroughTheGate(t *testing.T) {
	var calls []string
	g := &fakeGate{}
	l, err := ledger.New(g, ledger.Module{Name: "m", Types: []ledger.RecordType{trace("a", &calls, false, false), trace("b", &calls, false, false)}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.Check(nil, entry("b"))
	if err != nil || string(m.Subject) != "b" || !slices.Equal(calls, []string{"b.check"}) || !slices.Equal(g.checked, []string{"b"}) {
		t.Fatalf("Check(b) = %+v, %v; calls %v, gate saw %v", m, err, calls, g.checked)
	}
	if _, err := l.Check(nil, entry("nope")); !errors.Is(err, ledger.ErrUnknownType) {
		t.Fatalf("Check(unknown) = %v, want ErrUnknownType", err)
	}
	if len(g.checked) != 2 {
		t.Fatalf("the gate did not see the unknown type first: %v", g.checked)
	}
}

func TestApplyDispatch(t *testing.T) {
	tests := []struct {
		name             string
		anyAuthor        bool
		exclude          bool
		excluded, active bool
		wantCalls        []string
		wantRebuild      bool
	}{
		{"member record, active author", false, false, false, true, []string{"t.apply"}, false},
		{"member record, inactive author takes no effect", false, false, false, false, nil, false},
		{"any-author record, inactive author", true, false, false, false, []string{"t.apply"}, false},
		{"excluded record is voided", false, false, true, true, []string{"t.void"}, false},
		{"exclusion runs first and asks for a rebuild", true, true, false, false, []string{"t.exclude", "t.apply"}, true},
		{"an excluded exclusion still records its cutoffs", true, true, true, false, []string{"t.exclude", "t.void"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			l, err := ledger.New(&fakeGate{excluded: tt.excluded, active: tt.active},
				ledger.Module{Name: "m", Types: []ledger.RecordType{trace("t", &calls, tt.anyAuthor, tt.exclude)}})
			if err != nil {
				t.Fatal(err)
			}
			rebuild, err := l.Apply(nil, entry("t"), crdt.Meta{})
			if err != nil || rebuild != tt.wantRebuild || !slices.Equal(calls, tt.wantCalls) {
				t.Fatalf("Apply = %v, %v; calls %v; want %v, calls %v", rebuild, err, calls, tt.wantRebuild, tt.wantCalls)
			}
			calls = nil
			if err := l.Exclude(nil, entry("t"), crdt.Meta{}); err != nil {
				t.Fatal(err)
			}
			if want := slices.DeleteFunc(slices.Clone(tt.wantCalls), func(c string) bool { return c != "t.exclude" }); !slices.Equal(calls, want) {
				t.Fatalf("Exclude ran %v, want %v", calls, want)
			}
		})
	}
}

func TestCheckInvariantsNamesTheFailure(t *testing.T) {
	bad := errors.New("broken")
	l, err := ledger.New(&fakeGate{}, ledger.Module{Name: "m", Invariants: []ledger.Invariant{
		{Name: "holds", Check: func(*crdt.Reader) error { return nil }},
		{Name: "fails", Check: func(*crdt.Reader) error { return bad }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CheckInvariants(nil); !errors.Is(err, bad) || !strings.Contains(err.Error(), `module m: invariant "fails"`) {
		t.Fatalf("CheckInvariants = %v", err)
	}
}
