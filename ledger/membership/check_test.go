package membership

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

func str(s string) *string { return &s }

// TestCheckProfileAndCutoffs judges profile changes and departure cutoffs
// on their own, as the module's Check does inside the gate.
func TestCheckProfileAndCutoffs(t *testing.T) {
	key := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	tests := []struct {
		name  string
		check func() error
		want  error
	}{
		{"name change", profile(Profile{Name: str("Ada")}), nil},
		{"skills change", profile(Profile{Skills: &[]string{"gardening", "Plumbing"}}), nil},
		{"empty change", profile(Profile{}), ledger.ErrBadBody},
		{"name too long", profile(Profile{Name: str(strings.Repeat("n", ledger.MaxNameLen+1))}), ledger.ErrBadBody},
		{"bio too long", profile(Profile{Bio: str(strings.Repeat("b", MaxBioLen+1))}), ledger.ErrBadBody},
		{"too many skills", profile(Profile{Skills: new(make([]string, MaxSkills+1))}), ledger.ErrBadBody},
		{"sorted cutoffs", func() error { return checkCutoffs([]Cutoff{{Device: key(1)}, {Device: key(2)}}) }, nil},
		{"unsorted cutoffs", func() error { return checkCutoffs([]Cutoff{{Device: key(2)}, {Device: key(1)}}) }, ledger.ErrBadBody},
		{"repeated cutoff", func() error { return checkCutoffs([]Cutoff{{Device: key(1)}, {Device: key(1)}}) }, ledger.ErrBadBody},
		{"short device key", func() error { return checkCutoffs([]Cutoff{{Device: []byte{1}}}) }, ledger.ErrBadBody},
		{"too many cutoffs", func() error { return checkCutoffs(make([]Cutoff, MaxCutoffs+1)) }, ledger.ErrBadBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// profile returns a check of a profile record with body p.
func profile(p Profile) func() error {
	return func() error {
		b, err := crdt.Marshal(p)
		if err != nil {
			return err
		}
		return checkProfile(nil, &crdt.Entry{Rec: &crdt.Record{Type: TypeProfile, Body: b}}, &crdt.Meta{})
	}
}
