package all_test

import (
	"errors"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/directory"
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
	garden := f.s.emit(f.bob, directory.TypeListing, directory.Listing{Kind: directory.KindOffer, Skill: "Gardening", Description: "hedges and lawns", Place: "Elm Street"}, nil)
	ingest(f.s.raws[len(f.s.raws)-1])
	f.s.emit(f.founder, directory.TypeListing, directory.Listing{Kind: directory.KindRequest, Skill: "plumbing", Description: "leaking tap"}, nil)
	ingest(f.s.raws[len(f.s.raws)-1])

	list := func(q directory.ListingQuery) []directory.ListingView {
		t.Helper()
		var out []directory.ListingView
		if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
			var err error
			out, err = directory.Listings(r, q)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name string
		q    directory.ListingQuery
		want int
	}{
		{"everything open", directory.ListingQuery{}, 2},
		{"offers", directory.ListingQuery{Kind: directory.KindOffer}, 1},
		{"by skill, any case", directory.ListingQuery{Skill: "GARDENING"}, 1},
		{"by text", directory.ListingQuery{Text: "leaking"}, 1},
		{"text in two fields", directory.ListingQuery{Text: "hedges elm"}, 1},
		{"no match", directory.ListingQuery{Text: "piano"}, 0},
	}
	for _, tc := range cases {
		if got := list(tc.q); len(got) != tc.want {
			t.Errorf("%s: %d listings, want %d", tc.name, len(got), tc.want)
		}
	}

	// Only the author's member may close a listing.
	forged := f.raw(t, f.founder, directory.TypeListingClose, directory.ListingClose{Listing: crdt.Link{Cid: garden}}, []cid.Cid{garden}, nil)
	if res := ingest(forged); len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, ledger.ErrNotAllowed) {
		t.Fatalf("closing another member's listing: %+v", res)
	}
	f.s.emit(f.bob, directory.TypeListingClose, directory.ListingClose{Listing: crdt.Link{Cid: garden}}, []cid.Cid{garden})
	if res := ingest(f.s.raws[len(f.s.raws)-1]); len(res.Applied) != 1 {
		t.Fatalf("closing one's own listing: %+v", res)
	}
	if got := list(directory.ListingQuery{Kind: directory.KindOffer}); len(got) != 0 {
		t.Fatalf("closed listing still listed: %+v", got)
	}
	if got := list(directory.ListingQuery{Kind: directory.KindOffer, All: true}); len(got) != 1 || got[0].Open {
		t.Fatalf("closed listing with All: %+v", got)
	}
	// A listing without a skill, or of an unknown kind, is refused.
	for _, l := range []directory.Listing{{Kind: directory.KindOffer}, {Kind: "barter", Skill: "x"}} {
		if res := ingest(f.raw(t, f.bob, directory.TypeListing, l, nil, nil)); len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, ledger.ErrBadBody) {
			t.Fatalf("bad listing %+v: %+v", l, res)
		}
	}
}
