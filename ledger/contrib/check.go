package contrib

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/commons-society/commons/crdt"
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
		return fmt.Errorf("%w: a contribution says what was done", ledger.ErrBadBody)
	}
	if strings.TrimSpace(c.Skill) == "" {
		return fmt.Errorf("%w: a contribution needs a skill", ledger.ErrBadBody)
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
		return fmt.Errorf("%w: a contribution lasts 1 to %d minutes", ledger.ErrBadBody, MaxContributionMinutes)
	}
	if err := checkDate(c.Date, e.Rec.Time); err != nil {
		return err
	}
	if err := checkLink(c.Link); err != nil {
		return err
	}
	if len(c.Beneficiaries) > MaxBeneficiaries {
		return fmt.Errorf("%w: more than %d beneficiaries", ledger.ErrBadBody, MaxBeneficiaries)
	}
	var author []byte
	if e.PrevMeta != nil { // always set: a contribution is never a chain's first record
		author = e.PrevMeta.Member
	}
	for i, b := range c.Beneficiaries {
		if len(b) != ed25519.PublicKeySize && !bytes.Equal(b, membership.Community) {
			return fmt.Errorf("%w: beneficiary key", ledger.ErrBadBody)
		}
		if i > 0 && bytes.Compare(c.Beneficiaries[i-1], b) >= 0 {
			return fmt.Errorf("%w: beneficiaries not sorted or repeated", ledger.ErrBadBody)
		}
		if author != nil && bytes.Equal(b, author) {
			return fmt.Errorf("%w: a contribution to oneself", ledger.ErrNotAllowed)
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
		return fmt.Errorf("%w: date %q is not YYYY-MM-DD", ledger.ErrBadBody, s)
	}
	if d.Year() < 1900 {
		return fmt.Errorf("%w: date %q before 1900", ledger.ErrBadBody, s)
	}
	if d.UnixMilli() > int64(at.Millis())+24*3600*1000 {
		return fmt.Errorf("%w: date %q is after the record was written", ledger.ErrBadBody, s)
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
		return fmt.Errorf("%w: link contains spaces", ledger.ErrBadBody)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: link %q is not an http(s) URL", ledger.ErrBadBody, s)
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
		return fmt.Errorf("%w: ratings go from %d to %d", ledger.ErrBadBody, MinRating, MaxRating)
	}
	if err := ledger.CheckText("note", rv.Note, ledger.MaxNoteLen); err != nil {
		return err
	}
	cm, err := ledger.DepMeta(e, rv.Contribution.Cid)
	if err != nil {
		return err
	}
	if cm.Type != TypeContribution {
		return fmt.Errorf("%w: %s is not a contribution", ledger.ErrBadBody, rv.Contribution.Cid)
	}
	if bytes.Equal(cm.Member, m.Member) {
		return fmt.Errorf("%w: a review of one's own contribution", ledger.ErrNotAllowed)
	}
	return nil
}
