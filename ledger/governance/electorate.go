package governance

import (
	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/membership"
)

// This file is the only one that reads the membership module: when
// membership moves to its own package, only these calls change.

// isMember reports whether key is an active member of the society (for
// queries only: it is not causal).
func isMember(r *crdt.Reader, key []byte) (bool, error) { return membership.IsActive(r, key) }

// admittedBy reports whether a member was admitted no later than time at.
// Check may ask it of a record's author: the author's admission is in the
// causal past of their chain, so every peer answers alike (whether the
// member is still active is not causal, and is left to the count).
func admittedBy(r *crdt.Reader, member []byte, at crdt.HLC) (bool, error) {
	mv, ok, err := membership.Member(r, member)
	if err != nil || !ok {
		return !ok, err // an admission without effect: the count leaves the voter out
	}
	return mv.Since <= at, nil
}

// rootElectorate lists the root council's electorate for a proposal
// written at time at, ordered by key: every active member admitted no
// later than the proposal; names maps each key to its display name.
func rootElectorate(r *crdt.Reader, at crdt.HLC, names map[string]string) ([][]byte, error) {
	ms, err := membership.Roll(r)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, mv := range ms {
		if mv.Status == membership.StatusActive && mv.Since <= at {
			out = append(out, mv.Key)
			names[string(mv.Key)] = mv.Name
		}
	}
	return out, nil
}

// memberName is a member's display name, for results.
func memberName(r *crdt.Reader, key []byte) string {
	mv, ok, err := membership.Member(r, key)
	if err != nil || !ok {
		return ""
	}
	return mv.Name
}

// societySettings returns the settings the membership records set, with the
// time of the latest change.
func societySettings(r *crdt.Reader) (membership.Settings, crdt.HLC, error) {
	sv, err := membership.Society(r)
	return sv.Settings, sv.SettingsV.Time, err
}
