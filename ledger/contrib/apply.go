package contrib

import (
	"fmt"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

func applyContribution(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	c, ok := e.Body.(*Contribution)
	if !ok {
		c = new(Contribution)
		if err := ledger.DecodeBody(e.Rec, c); err != nil {
			return err
		}
	}
	id := e.CID.Bytes()
	cv := ContributionView{ID: id, Member: m.Member, What: c.What, Skill: ledger.NormSkill(c.Skill), Minutes: c.Minutes,
		Date: c.Date, Link: c.Link, Beneficiaries: c.Beneficiaries, Guild: strings.TrimSpace(c.Guild), Created: e.Rec.Time}
	if cv.Beneficiaries == nil {
		cv.Beneficiaries = [][]byte{}
	}
	k := kContrib + ledger.Account(id)
	var old ContributionView
	found, err := ledger.Get(v, k, &old)
	if err != nil {
		return err
	}
	if found { // cannot happen (reviews depend on it); keep their aggregates
		cv.Reviews, cv.QualitySum, cv.ImpactSum = old.Reviews, old.QualitySum, old.ImpactSum
	}
	if err := v.Put(contribIndexKey(m.Member, e.Rec.Time, id), nil); err != nil {
		return err
	}
	return ledger.Put(v, k, cv)
}

// applyReview keeps each reviewer's latest review by ledger.Version and the
// contribution's sums equal to the sums of those reviews, whatever order
// the reviews arrive in.
func applyReview(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rv, ok := e.Body.(*Review)
	if !ok {
		rv = new(Review)
		if err := ledger.DecodeBody(e.Rec, rv); err != nil {
			return err
		}
	}
	cidb := rv.Contribution.Bytes()
	ck := kContrib + ledger.Account(cidb)
	var cv ContributionView
	if ok, err := ledger.Get(v, ck, &cv); err != nil || !ok {
		return err // the contribution took no effect
	}
	rk := reviewKey(cidb, m.Member)
	ver := ledger.Version{Time: e.Rec.Time, Device: e.Rec.Author, Seq: e.Rec.Seq}
	var old ReviewView
	had, err := ledger.Get(v, rk, &old)
	if err != nil {
		return err
	}
	if had {
		if !old.V.Less(ver) {
			return nil // a later review of the same reviewer is in effect
		}
		if cv.Reviews == 0 || cv.QualitySum < old.Quality || cv.ImpactSum < old.Impact {
			return fmt.Errorf("%w: review sums of %s", crdt.ErrCorrupt, rv.Contribution.Cid)
		}
		cv.Reviews--
		cv.QualitySum -= old.Quality
		cv.ImpactSum -= old.Impact
		if err := v.Delete(reviewByKey(m.Member, old.V.Time, old.ID)); err != nil {
			return err
		}
	}
	cv.Reviews++
	cv.QualitySum += rv.Quality
	cv.ImpactSum += rv.Impact
	id := e.CID.Bytes()
	if err := ledger.Put(v, rk, ReviewView{ID: id, Contribution: cidb, Reviewer: m.Member, Quality: rv.Quality, Impact: rv.Impact,
		Note: rv.Note, V: ver}); err != nil {
		return err
	}
	if err := v.Put(reviewByKey(m.Member, e.Rec.Time, id), cidb); err != nil {
		return err
	}
	return ledger.Put(v, ck, cv)
}

func contribIndexKey(member []byte, t crdt.HLC, id []byte) string {
	return kContribs + ledger.Account(member) + ledger.BE64(uint64(t)) + ledger.Account(id)
}

func reviewKey(contribution, reviewer []byte) string {
	return kReview + ledger.Account(contribution) + ledger.Account(reviewer)
}

func reviewByKey(reviewer []byte, t crdt.HLC, id []byte) string {
	return kReviews + ledger.Account(reviewer) + ledger.BE64(uint64(t)) + ledger.Account(id)
}
