package directory

import (
	"errors"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// TestCheckListing judges listing bodies on their own, as the module's
// Check does before the gate's membership checks.
func TestCheckListing(t *testing.T) {
	tests := []struct {
		name string
		body any
		want error
	}{
		{"offer", Listing{Kind: KindOffer, Skill: "gardening", Description: "hedges"}, nil},
		{"request", Listing{Kind: KindRequest, Skill: "plumbing"}, nil},
		{"unknown kind", Listing{Kind: "swap", Skill: "gardening"}, ledger.ErrBadBody},
		{"blank skill", Listing{Kind: KindOffer, Skill: "  "}, ledger.ErrBadBody},
		{"skill too long", Listing{Kind: KindOffer, Skill: strings.Repeat("s", ledger.MaxSkillLen+1)}, ledger.ErrBadBody},
		{"description too long", Listing{Kind: KindOffer, Skill: "x", Description: strings.Repeat("d", MaxDescriptionLen+1)}, ledger.ErrBadBody},
		{"place too long", Listing{Kind: KindOffer, Skill: "x", Place: strings.Repeat("p", MaxPlaceLen+1)}, ledger.ErrBadBody},
		{"not a listing", "just text", ledger.ErrBadBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := crdt.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			e := &crdt.Entry{Rec: &crdt.Record{Type: TypeListing, Body: b}}
			err = checkListing(nil, e, &crdt.Meta{})
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("checkListing = %v, want %v", err, tt.want)
			}
			if err == nil {
				if _, ok := e.Body.(*Listing); !ok {
					t.Fatalf("the decoded body is not kept for Apply: %T", e.Body)
				}
			}
		})
	}
}
