package ledger_test

import (
	"errors"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/ipfs/go-cid"
)

func TestDirectory(t *testing.T) {
	f := newFixture(t)
	ingest := func(raw []byte) crdt.Result {
		t.Helper()
		res, err := f.st.Ingest(f.s.soc, [][]byte{raw})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	garden := f.s.emit(f.bob, ledger.TypeListing, ledger.Listing{Kind: ledger.KindOffer, Skill: "Gardening", Description: "hedges and lawns", Place: "Elm Street"}, nil)
	ingest(f.s.raws[len(f.s.raws)-1])
	f.s.emit(f.founder, ledger.TypeListing, ledger.Listing{Kind: ledger.KindRequest, Skill: "plumbing", Description: "leaking tap"}, nil)
	ingest(f.s.raws[len(f.s.raws)-1])

	list := func(q ledger.ListingQuery) []ledger.ListingView {
		t.Helper()
		var out []ledger.ListingView
		if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
			var err error
			out, err = ledger.Listings(r, q)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name string
		q    ledger.ListingQuery
		want int
	}{
		{"everything open", ledger.ListingQuery{}, 2},
		{"offers", ledger.ListingQuery{Kind: ledger.KindOffer}, 1},
		{"by skill, any case", ledger.ListingQuery{Skill: "GARDENING"}, 1},
		{"by text", ledger.ListingQuery{Text: "leaking"}, 1},
		{"text in two fields", ledger.ListingQuery{Text: "hedges elm"}, 1},
		{"no match", ledger.ListingQuery{Text: "piano"}, 0},
	}
	for _, tc := range cases {
		if got := list(tc.q); len(got) != tc.want {
			t.Errorf("%s: %d listings, want %d", tc.name, len(got), tc.want)
		}
	}

	// Only the author's member may close a listing.
	forged := f.raw(t, f.founder, ledger.TypeListingClose, ledger.ListingClose{Listing: crdt.Link{Cid: garden}}, []cid.Cid{garden}, nil)
	if res := ingest(forged); len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, ledger.ErrNotAllowed) {
		t.Fatalf("closing another member's listing: %+v", res)
	}
	f.s.emit(f.bob, ledger.TypeListingClose, ledger.ListingClose{Listing: crdt.Link{Cid: garden}}, []cid.Cid{garden})
	if res := ingest(f.s.raws[len(f.s.raws)-1]); len(res.Applied) != 1 {
		t.Fatalf("closing one's own listing: %+v", res)
	}
	if got := list(ledger.ListingQuery{Kind: ledger.KindOffer}); len(got) != 0 {
		t.Fatalf("closed listing still listed: %+v", got)
	}
	if got := list(ledger.ListingQuery{Kind: ledger.KindOffer, All: true}); len(got) != 1 || got[0].Open {
		t.Fatalf("closed listing with All: %+v", got)
	}
	// A listing without a skill, or of an unknown kind, is refused.
	for _, l := range []ledger.Listing{{Kind: ledger.KindOffer}, {Kind: "barter", Skill: "x"}} {
		if res := ingest(f.raw(t, f.bob, ledger.TypeListing, l, nil, nil)); len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, ledger.ErrBadBody) {
			t.Fatalf("bad listing %+v: %+v", l, res)
		}
	}
}
