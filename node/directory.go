package node

import (
	"fmt"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// ListingRequest adds an offer or a request to the directory.
type ListingRequest struct {
	Society      string `json:"society,omitempty"`
	Kind         string `json:"kind"` // "offer" or "request"
	Skill        string `json:"skill"`
	Description  string `json:"description,omitempty"`
	Availability string `json:"availability,omitempty"`
	Place        string `json:"place,omitempty"`
}

// ListingsRequest searches the directory.
type ListingsRequest struct {
	Society string `json:"society,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Skill   string `json:"skill,omitempty"`
	Text    string `json:"text,omitempty"`
	All     bool   `json:"all,omitempty"`
}

// CloseListingRequest closes one of the local member's listings.
type CloseListingRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
}

// ListingInfo describes a listing.
type ListingInfo struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Member       string `json:"member"`
	MemberName   string `json:"member_name"`
	Skill        string `json:"skill"`
	Description  string `json:"description"`
	Availability string `json:"availability,omitempty"`
	Place        string `json:"place,omitempty"`
	Open         bool   `json:"open"`
	Created      string `json:"created"`
}

// AddListing adds an offer or a request; it returns the listing's ID.
func (n *Node) AddListing(req ListingRequest) (string, error) {
	if req.Kind != directory.KindOffer && req.Kind != directory.KindRequest {
		return "", refusal.Prefixed("node", "a listing is an %q or a %q", directory.KindOffer, directory.KindRequest)
	}
	if strings.TrimSpace(req.Skill) == "" {
		return "", refusal.Prefixed("node", "a listing needs a skill")
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c, err := n.author(soc, directory.TypeListing, directory.Listing{Kind: req.Kind, Skill: strings.TrimSpace(req.Skill),
		Description: req.Description, Availability: req.Availability, Place: req.Place}, nil)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

// Listings searches the directory, newest first.
func (n *Node) Listings(req ListingsRequest) ([]ListingInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := []ListingInfo{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		ls, err := directory.Listings(r, directory.ListingQuery{Kind: req.Kind, Skill: req.Skill, Text: req.Text, All: req.All})
		if err != nil {
			return err
		}
		for _, l := range ls {
			c, err := cid.Cast(l.ID)
			if err != nil {
				return fmt.Errorf("%w: listing ID: %v", crdt.ErrCorrupt, err)
			}
			mv, _, err := membership.Member(r, l.Member)
			if err != nil {
				return err
			}
			out = append(out, ListingInfo{ID: c.String(), Kind: l.Kind, Member: idOf(l.Member), MemberName: mv.Name,
				Skill: l.Skill, Description: l.Description, Availability: l.Availability, Place: l.Place, Open: l.Open,
				Created: l.Created.Time().Format("2006-01-02 15:04")})
		}
		return nil
	})
	return out, err
}

// CloseListing closes one of the local member's listings.
func (n *Node) CloseListing(req CloseListingRequest) error {
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	id, err := cid.Decode(req.ID)
	if err != nil {
		return refusal.Prefixed("node", "%q is not a listing ID", req.ID)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	err = n.store.View(soc, func(r *crdt.Reader) error {
		lv, ok, err := directory.ListingByID(r, id)
		if err != nil {
			return err
		}
		if !ok {
			return refusal.New(crdt.ErrNotFound, "listing %s", id)
		}
		if string(lv.Member) != string(n.pub.Member) {
			return refusal.New(ledger.ErrNotAllowed, "only the listing's author may close it")
		}
		if !lv.Open {
			return refusal.Prefixed("node", "that listing is already closed")
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, directory.TypeListingClose, directory.ListingClose{Listing: crdt.Link{Cid: id}}, []cid.Cid{id})
	return err
}
