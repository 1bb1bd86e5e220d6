package ledger

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
)

// Record types of the directory.
const (
	TypeListing      = "listing"
	TypeListingClose = "listing-close"
)

// Listing kinds.
const (
	KindOffer   = "offer"
	KindRequest = "request"
)

// Listing is an offer of help or a request for it. Its CID is its ID.
type Listing struct {
	Kind         string `cbor:"kind"`
	Skill        string `cbor:"skill"`
	Description  string `cbor:"desc"`
	Availability string `cbor:"avail"`
	Place        string `cbor:"place"`
}

// ListingClose closes a listing; only its author's member may.
type ListingClose struct {
	Listing crdt.Link `cbor:"listing"`
}

// Limits on listings.
const (
	MaxDescriptionLen = 2000
	MaxPlaceLen       = 200
)

// ListingView is a listing as the directory shows it.
type ListingView struct {
	ID           []byte   `cbor:"id"`
	Kind         string   `cbor:"kind"`
	Member       []byte   `cbor:"member"`
	Skill        string   `cbor:"skill"`
	Description  string   `cbor:"desc"`
	Availability string   `cbor:"avail"`
	Place        string   `cbor:"place"`
	Open         bool     `cbor:"open"`
	Created      crdt.HLC `cbor:"created"`
}

const kListing = "listing/" // listing CID -> ListingView

func checkListing(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var l Listing
	if err := DecodeBody(e.Rec, &l); err != nil {
		return err
	}
	e.Body = &l
	if l.Kind != KindOffer && l.Kind != KindRequest {
		return fmt.Errorf("%w: listing kind %q", ErrBadBody, l.Kind)
	}
	if strings.TrimSpace(l.Skill) == "" {
		return fmt.Errorf("%w: a listing needs a skill", ErrBadBody)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"skill", l.Skill, MaxSkillLen}, {"description", l.Description, MaxDescriptionLen},
		{"availability", l.Availability, MaxPlaceLen}, {"place", l.Place, MaxPlaceLen}} {
		if err := CheckText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func checkListingClose(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var lc ListingClose
	if err := DecodeBody(e.Rec, &lc); err != nil {
		return err
	}
	lm, err := DepMeta(e, lc.Listing.Cid)
	if err != nil {
		return err
	}
	if lm.Type != TypeListing {
		return fmt.Errorf("%w: %s is not a listing", ErrBadBody, lc.Listing.Cid)
	}
	if !bytes.Equal(lm.Member, m.Member) {
		return fmt.Errorf("%w: only the listing's author may close it", ErrNotAllowed)
	}
	return nil
}

func applyListing(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	l, ok := e.Body.(*Listing)
	if !ok {
		l = new(Listing)
		if err := DecodeBody(e.Rec, l); err != nil {
			return err
		}
	}
	k := kListing + string(e.CID.Bytes())
	var old ListingView
	found, err := Get(v, k, &old)
	if err != nil {
		return err
	}
	open := true
	if found { // a close arrived first (it cannot: it depends on the listing)
		open = old.Open
	}
	return Put(v, k, ListingView{ID: e.CID.Bytes(), Kind: l.Kind, Member: m.Member, Skill: strings.ToLower(strings.TrimSpace(l.Skill)),
		Description: l.Description, Availability: l.Availability, Place: l.Place, Open: open, Created: e.Rec.Time})
}

func applyListingClose(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) error {
	var lc ListingClose
	if err := DecodeBody(e.Rec, &lc); err != nil {
		return err
	}
	k := kListing + string(lc.Listing.Bytes())
	var lv ListingView
	ok, err := Get(v, k, &lv)
	if err != nil || !ok || !lv.Open {
		return err
	}
	lv.Open = false
	return Put(v, k, lv)
}

// ListingQuery filters the directory.
type ListingQuery struct {
	// Kind is KindOffer, KindRequest, or empty for both.
	Kind string
	// Skill matches the listing's skill exactly (case-insensitive).
	Skill string
	// Text matches words of the skill, description, availability or place.
	Text string
	// All includes closed listings.
	All bool
}

// Listings returns the listings matching q, newest first.
func Listings(r *crdt.Reader, q ListingQuery) ([]ListingView, error) {
	var out []ListingView
	skill := strings.ToLower(strings.TrimSpace(q.Skill))
	words := strings.Fields(strings.ToLower(q.Text))
	err := r.Scan(kListing, func(_ string, b []byte) error {
		var lv ListingView
		if err := crdt.Unmarshal(b, &lv); err != nil {
			return fmt.Errorf("%w: listing view: %v", crdt.ErrCorrupt, err)
		}
		if (q.Kind != "" && lv.Kind != q.Kind) || (!q.All && !lv.Open) || (skill != "" && lv.Skill != skill) {
			return nil
		}
		hay := strings.ToLower(lv.Skill + " " + lv.Description + " " + lv.Availability + " " + lv.Place)
		for _, w := range words {
			if !strings.Contains(hay, w) {
				return nil
			}
		}
		out = append(out, lv)
		return nil
	})
	slices.SortStableFunc(out, func(a, b ListingView) int {
		if a.Created != b.Created {
			if a.Created > b.Created {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.ID, b.ID)
	})
	return out, err
}

// ListingByID returns one listing.
func ListingByID(r *crdt.Reader, id cid.Cid) (ListingView, bool, error) {
	var lv ListingView
	ok, err := Get(r, kListing+string(id.Bytes()), &lv)
	return lv, ok, err
}
