package directory

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

func checkListing(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var l Listing
	if err := ledger.DecodeBody(e.Rec, &l); err != nil {
		return err
	}
	e.Body = &l
	if l.Kind != KindOffer && l.Kind != KindRequest {
		return fmt.Errorf("%w: listing kind %q", ledger.ErrBadBody, l.Kind)
	}
	if strings.TrimSpace(l.Skill) == "" {
		return fmt.Errorf("%w: a listing needs a skill", ledger.ErrBadBody)
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
		return fmt.Errorf("%w: %s is not a listing", ledger.ErrBadBody, lc.Listing.Cid)
	}
	if !bytes.Equal(lm.Member, m.Member) {
		return fmt.Errorf("%w: only the listing's author may close it", ledger.ErrNotAllowed)
	}
	return nil
}
