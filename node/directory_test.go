package node

import (
	"errors"
	"testing"

	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/directory"
)

func TestDirectoryListings(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	offer, err := bob.AddListing(ListingRequest{Kind: directory.KindOffer, Skill: "Gardening", Description: "hedges", Place: "Elm Street"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.AddListing(ListingRequest{Kind: directory.KindRequest, Skill: "plumbing", Description: "leaking tap"}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, alice, bob)
	sameState(t, soc, alice, bob)

	cases := []struct {
		name string
		req  ListingsRequest
		want int
	}{
		{"all open", ListingsRequest{}, 2},
		{"offers", ListingsRequest{Kind: directory.KindOffer}, 1},
		{"requests by text", ListingsRequest{Kind: directory.KindRequest, Text: "tap"}, 1},
		{"by skill", ListingsRequest{Skill: "gardening"}, 1},
		{"nothing", ListingsRequest{Text: "violin"}, 0},
	}
	for _, tc := range cases {
		for _, p := range []*peer{alice, bob} {
			ls, err := p.Listings(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != tc.want {
				t.Errorf("%s on %s: %d listings, want %d", tc.name, p.name, len(ls), tc.want)
			}
		}
	}
	ls, _ := alice.Listings(ListingsRequest{Kind: directory.KindOffer})
	if len(ls) != 1 || ls[0].ID != offer || ls[0].MemberName != "Bob" || ls[0].Skill != "gardening" || !ls[0].Open {
		t.Fatalf("Alice sees Bob's offer as %+v", ls)
	}

	// Only its author closes a listing; bad requests change nothing.
	before := alice.society(t, soc)
	for _, tc := range []struct {
		name string
		err  error
		run  func() error
	}{
		{"someone else's listing", ledger.ErrNotAllowed, func() error { return alice.CloseListing(CloseListingRequest{ID: offer}) }},
		{"not an ID", nil, func() error { return alice.CloseListing(CloseListingRequest{ID: "nope"}) }},
		{"unknown kind", nil, func() error {
			_, err := alice.AddListing(ListingRequest{Kind: "barter", Skill: "x"})
			return err
		}},
		{"no skill", nil, func() error {
			_, err := alice.AddListing(ListingRequest{Kind: directory.KindOffer})
			return err
		}},
	} {
		err := tc.run()
		if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if after := alice.society(t, soc); after != before {
		t.Fatalf("refused requests changed the state: %+v -> %+v", before, after)
	}
	if err := bob.CloseListing(CloseListingRequest{ID: offer}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, alice, bob)
	sameState(t, soc, alice, bob)
	if ls, _ := alice.Listings(ListingsRequest{Kind: directory.KindOffer}); len(ls) != 0 {
		t.Fatalf("closed offer still open on Alice: %+v", ls)
	}
	if ls, _ := alice.Listings(ListingsRequest{Kind: directory.KindOffer, All: true}); len(ls) != 1 || ls[0].Open {
		t.Fatalf("closed offer with All: %+v", ls)
	}
}
