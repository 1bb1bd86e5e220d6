// Package ledger is the core of the society's domain: the registry of
// domain modules (Module, RecordType) and the crdt.Applier (Ledger) that
// dispatches every record to its type's Check, Apply and Exclude through
// the registry, behind a Gate that every record passes; and the helpers
// every module shares (body decoding, text checks, view encoding, key
// parts, last-writer-wins versions). It knows no record type itself, nothing
// of the network and nothing of the user interface.
//
// The domains are packages below it, one per module: membership (which
// also provides the Gate), timebank, contrib and directory; reputation
// derives CVs from contrib and timebank; all registers every module.
package ledger

import (
	"fmt"

	"github.com/commons-society/commons/crdt"
)

// Module is a domain of the society (membership, the time bank, the
// directory...): the record types it adds, each with how it is checked and
// applied, and the invariants its views keep. Its queries are plain
// functions of its package over a *crdt.Reader. A module is registered with
// New; a new domain adds a Module and touches no central switch.
type Module struct {
	// Name names the module, for errors and documentation.
	Name string
	// Types are the record types the module owns. A type name belongs to
	// one module only.
	Types []RecordType
	// Invariants hold of the views after any set of stored records; tests
	// and audits run them.
	Invariants []Invariant
}

// Invariant is a property of a module's views, checked by CheckInvariants.
type Invariant struct {
	// Name says what holds, as in "the balances sum to zero".
	Name string
	// Check returns an error when the property does not hold.
	Check func(r *crdt.Reader) error
}

// RecordType is one record type: its name on the wire and the functions
// that judge and fold a record of it. Every function sees the record and,
// for Apply and Exclude, the views; none may read the wall clock or depend
// on map iteration order.
type RecordType struct {
	// Name is the record's Type field.
	Name string
	// Check decides whether a record of this type may be stored, from the
	// record and its causal predecessors only. It runs inside the Gate's
	// checks, which have filled m.Member from the author's chain (nil for a
	// device's first record); it may set m's domain fields (Member,
	// Subject, Flags) and keep the decoded body in e.Body for Apply.
	Check func(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error
	// Exclude, if set, records the exclusions the record sets (cutoffs of
	// devices or members) and reports whether they changed. It runs on
	// every stored record of the type in a rebuild's first pass, and again
	// before Apply; a change makes the store rebuild the views. It may
	// rely only on stored records, never on views that Apply builds.
	Exclude func(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (changed bool, err error)
	// Apply folds a stored record that takes effect into the views.
	Apply func(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error
	// Void, if set, notes a stored record that takes no effect because its
	// device was cut (a fork, a revocation, a departure).
	Void func(v *crdt.Views, e *crdt.Entry) error
	// AnyAuthor applies the record even when its author's member is not
	// an active member (a join, an admission, a departure). Otherwise such
	// a record is stored and takes no effect.
	AnyAuthor bool
}

// Gate is what every record shares whatever its type: whether its author
// may write at all, and whether its device's records still take effect. It
// is the membership module's part in every record, as the ante handler of
// the Cosmos SDK's auth module is in every transaction.
type Gate interface {
	// Check runs the checks every record shares around check, the record
	// type's own (nil for an unknown type: Check then reports
	// ErrUnknownType where the type's check would run), and returns the
	// record's metadata.
	Check(r *crdt.Reader, e *crdt.Entry, check func(m *crdt.Meta) error) (crdt.Meta, error)
	// Effect reports whether a stored record takes no effect (its device
	// forked, was revoked or its member left before it), and otherwise
	// whether its author's member is active.
	Effect(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (excluded, active bool, err error)
}

// Ledger is the crdt.Applier of a society: it dispatches each record to
// its type's functions through the registry built by New. It holds no
// state of its own: all state is in the views.
type Ledger struct {
	gate    Gate
	modules []Module
	types   map[string]*RecordType
}

var _ crdt.Applier = (*Ledger)(nil)

// New returns the applier of the given modules, gated by g. It fails when a
// record type is registered twice or lacks a name, Check or Apply.
func New(g Gate, mods ...Module) (*Ledger, error) {
	if g == nil {
		return nil, fmt.Errorf("ledger: no gate")
	}
	l := &Ledger{gate: g, modules: mods, types: map[string]*RecordType{}}
	for mi := range mods {
		for ti := range mods[mi].Types {
			t := &mods[mi].Types[ti]
			if t.Name == "" || t.Check == nil || t.Apply == nil {
				return nil, fmt.Errorf("ledger: module %s: record type %q needs a name, Check and Apply", mods[mi].Name, t.Name)
			}
			if _, dup := l.types[t.Name]; dup {
				return nil, fmt.Errorf("ledger: module %s: record type %q is registered twice", mods[mi].Name, t.Name)
			}
			l.types[t.Name] = t
		}
	}
	return l, nil
}

// Modules returns the registered modules, in registration order.
func (l *Ledger) Modules() []Module { return l.modules }

// Type returns the registration of a record type.
func (l *Ledger) Type(name string) (*RecordType, bool) {
	t, ok := l.types[name]
	return t, ok
}

// Check decides whether a record may be stored, from the record and its
// causal predecessors only: the gate's checks around its type's Check.
func (l *Ledger) Check(r *crdt.Reader, e *crdt.Entry) (crdt.Meta, error) {
	t, ok := l.types[e.Rec.Type]
	return l.gate.Check(r, e, func(m *crdt.Meta) error {
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownType, e.Rec.Type)
		}
		return t.Check(r, e, m)
	})
}

// Exclude is the first pass of a rebuild: it gathers exclusions.
func (l *Ledger) Exclude(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	if t, ok := l.types[e.Rec.Type]; ok && t.Exclude != nil {
		_, err := t.Exclude(v, e, m)
		return err
	}
	return nil
}

// Apply folds a stored record into the views: its exclusions first, then,
// unless its device was cut (or its author is not an active member and the
// type needs one), its type's Apply.
func (l *Ledger) Apply(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (bool, error) {
	t, ok := l.types[e.Rec.Type]
	if !ok {
		return false, fmt.Errorf("%w: %q", ErrUnknownType, e.Rec.Type)
	}
	changed := false
	if t.Exclude != nil {
		var err error
		if changed, err = t.Exclude(v, e, m); err != nil {
			return false, err
		}
	}
	excluded, active, err := l.gate.Effect(v, e, m)
	if err != nil {
		return changed, err
	}
	if excluded {
		if t.Void != nil {
			return changed, t.Void(v, e)
		}
		return changed, nil
	}
	if !active && !t.AnyAuthor {
		return changed, nil
	}
	return changed, t.Apply(v, e, m)
}

// CheckInvariants runs every module's invariants over the views and
// returns the first that fails.
func (l *Ledger) CheckInvariants(r *crdt.Reader) error {
	for _, mod := range l.modules {
		for _, inv := range mod.Invariants {
			if err := inv.Check(r); err != nil {
				return fmt.Errorf("ledger: module %s: invariant %q: %w", mod.Name, inv.Name, err)
			}
		}
	}
	return nil
}
