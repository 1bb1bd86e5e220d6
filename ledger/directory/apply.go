package directory

import (
	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

func applyListing(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	l, ok := e.Body.(*Listing)
	if !ok {
		l = new(Listing)
		if err := ledger.DecodeBody(e.Rec, l); err != nil {
			return err
		}
	}
	k := kListing + string(e.CID.Bytes())
	var old ListingView
	found, err := ledger.Get(v, k, &old)
	if err != nil {
		return err
	}
	open := true
	if found { // a close arrived first (it cannot: it depends on the listing)
		open = old.Open
	}
	return ledger.Put(v, k, ListingView{ID: e.CID.Bytes(), Kind: l.Kind, Member: m.Member, Skill: ledger.NormSkill(l.Skill),
		Description: l.Description, Availability: l.Availability, Place: l.Place, Open: open, Created: e.Rec.Time})
}

func applyListingClose(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) error {
	var lc ListingClose
	if err := ledger.DecodeBody(e.Rec, &lc); err != nil {
		return err
	}
	k := kListing + string(lc.Listing.Bytes())
	var lv ListingView
	ok, err := ledger.Get(v, k, &lv)
	if err != nil || !ok || !lv.Open {
		return err
	}
	lv.Open = false
	return ledger.Put(v, k, lv)
}
