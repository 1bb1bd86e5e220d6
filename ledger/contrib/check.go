package contrib

import (
	"bytes"
	"crypto/ed25519"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
)

func checkContribution(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	c := new(Contribution)
	if err := ledger.DecodeBody(e.Rec, c); err != nil {
		return err
	}
	e.Body = c
	if strings.TrimSpace(c.What) == "" {
		return refusal.New(ledger.ErrBadBody, "a contribution says what was done")
	}
	if strings.TrimSpace(c.Skill) == "" {
		return refusal.New(ledger.ErrBadBody, "a contribution needs a skill")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"what", c.What, MaxWhatLen}, {"skill", c.Skill, ledger.MaxSkillLen}, {"link", c.Link, MaxLinkLen}, {"guild", c.Guild, MaxGuildLen}} {
		if err := ledger.CheckText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if c.Minutes == 0 || c.Minutes > MaxContributionMinutes {
		return refusal.New(ledger.ErrBadBody, "a contribution lasts 1 to %d minutes", MaxContributionMinutes)
	}
	if err := checkDate(c.Date, e.Rec.Time); err != nil {
		return err
	}
	if err := checkLink(c.Link); err != nil {
		return err
	}
	if len(c.Beneficiaries) > MaxBeneficiaries {
		return refusal.New(ledger.ErrBadBody, "more than %d beneficiaries", MaxBeneficiaries)
	}
	var author []byte
	if e.PrevMeta != nil { // always set: a contribution is never a chain's first record
		author = e.PrevMeta.Member
	}
	for i, b := range c.Beneficiaries {
		if len(b) != ed25519.PublicKeySize && !bytes.Equal(b, membership.Community) {
			return refusal.New(ledger.ErrBadBody, "beneficiary key")
		}
		if i > 0 && bytes.Compare(c.Beneficiaries[i-1], b) >= 0 {
			return refusal.New(ledger.ErrBadBody, "beneficiaries not sorted or repeated")
		}
		if author != nil && bytes.Equal(b, author) {
			return refusal.New(ledger.ErrNotAllowed, "a contribution to oneself")
		}
	}
	return nil
}

// checkDate accepts a canonical "YYYY-MM-DD" day no later than the day
// after the record's own time (the record's time, not the clock, so every
// peer judges alike; the extra day covers time zones).
func checkDate(s string, at crdt.HLC) error {
	d, err := time.Parse(DateLayout, s)
	if err != nil || d.Format(DateLayout) != s {
		return refusal.New(ledger.ErrBadBody, "date %q is not YYYY-MM-DD", s)
	}
	if d.Year() < 1900 {
		return refusal.New(ledger.ErrBadBody, "date %q before 1900", s)
	}
	if d.UnixMilli() > int64(at.Millis())+24*3600*1000 {
		return refusal.New(ledger.ErrBadBody, "date %q is after the record was written", s)
	}
	return nil
}

// checkLink accepts an empty link or an absolute http(s) URL with a host
// and no spaces.
func checkLink(s string) error {
	if s == "" {
		return nil
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return refusal.New(ledger.ErrBadBody, "link contains spaces")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return refusal.New(ledger.ErrBadBody, "link %q is not an http(s) URL", s)
	}
	return nil
}

func checkReview(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rv := new(Review)
	if err := ledger.DecodeBody(e.Rec, rv); err != nil {
		return err
	}
	e.Body = rv
	if rv.Quality < MinRating || rv.Quality > MaxRating || rv.Impact < MinRating || rv.Impact > MaxRating {
		return refusal.New(ledger.ErrBadBody, "ratings go from %d to %d", MinRating, MaxRating)
	}
	if err := ledger.CheckText("note", rv.Note, ledger.MaxNoteLen); err != nil {
		return err
	}
	cm, err := ledger.DepMeta(e, rv.Contribution.Cid)
	if err != nil {
		return err
	}
	if cm.Type != TypeContribution {
		return refusal.New(ledger.ErrBadBody, "%s is not a contribution", rv.Contribution.Cid)
	}
	if bytes.Equal(cm.Member, m.Member) {
		return refusal.New(ledger.ErrNotAllowed, "a review of one's own contribution")
	}
	return nil
}
