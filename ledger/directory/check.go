package directory

import (
	"bytes"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
)

func checkListing(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var l Listing
	if err := ledger.DecodeBody(e.Rec, &l); err != nil {
		return err
	}
	e.Body = &l
	if l.Kind != KindOffer && l.Kind != KindRequest {
		return refusal.New(ledger.ErrBadBody, "listing kind %q", l.Kind)
	}
	if strings.TrimSpace(l.Skill) == "" {
		return refusal.New(ledger.ErrBadBody, "a listing needs a skill")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"skill", l.Skill, ledger.MaxSkillLen}, {"description", l.Description, MaxDescriptionLen},
		{"availability", l.Availability, MaxPlaceLen}, {"place", l.Place, MaxPlaceLen}} {
		if err := ledger.CheckText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func checkListingClose(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var lc ListingClose
	if err := ledger.DecodeBody(e.Rec, &lc); err != nil {
		return err
	}
	lm, err := ledger.DepMeta(e, lc.Listing.Cid)
	if err != nil {
		return err
	}
	if lm.Type != TypeListing {
		return refusal.New(ledger.ErrBadBody, "%s is not a listing", lc.Listing.Cid)
	}
	if !bytes.Equal(lm.Member, m.Member) {
		return refusal.New(ledger.ErrNotAllowed, "only the listing's author may close it")
	}
	return nil
}
