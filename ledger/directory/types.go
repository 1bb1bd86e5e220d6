// Package directory is the society's directory of offers of help and
// requests for it: a ledger module (see ledger.Module) with the listing
// and listing-close record types, and the queries over its views.
//
// Its files follow every module's rooms: types.go (record bodies, views and
// view keys), check.go (may a record be stored?), apply.go (what it does to
// the views), query.go (what front ends read) and module.go (the
// registration).
package directory

import (
	"github.com/commons-society/commons/crdt"
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
