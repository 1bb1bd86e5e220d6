package directory

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/ipfs/go-cid"
)

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
	skill := ledger.NormSkill(q.Skill)
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
	ok, err := ledger.Get(r, kListing+string(id.Bytes()), &lv)
	return lv, ok, err
}
