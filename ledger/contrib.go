package ledger

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
)

// Record types of the contribution ledger.
//
// A contribution records work a member did for others: what, in which
// skill, how long, on which day, for whom (members, the community, a
// guild), with an optional link to evidence. Other members review it; each
// reviewer's latest review counts. Reputation and CVs are derived from
// contributions, reviews and the time bank at query time (see cv.go).
const (
	TypeContribution = "contribution"
	TypeReview       = "review"
)

// Contribution is work a member did. Its CID is its ID.
type Contribution struct {
	// What says what was done.
	What  string `cbor:"what"`
	Skill string `cbor:"skill"`
	// Minutes is how long it took, in whole minutes.
	Minutes uint64 `cbor:"min"`
	// Date is the day the work was done, "YYYY-MM-DD".
	Date string `cbor:"date"`
	// Link optionally points to evidence: an http or https URL.
	Link string `cbor:"link"`
	// Beneficiaries are member keys or Community, sorted and unique.
	Beneficiaries [][]byte `cbor:"for"`
	// Guild optionally names the group the work was done for.
	Guild string `cbor:"guild"`
}

// Review is a member's peer review of another member's contribution. A
// reviewer's later review of the same contribution, by Version, replaces
// the earlier one.
type Review struct {
	// Contribution must also be among the record's deps.
	Contribution crdt.Link `cbor:"contribution"`
	// Quality and Impact are ratings from 1 to 5.
	Quality uint64 `cbor:"quality"`
	Impact  uint64 `cbor:"impact"`
	Note    string `cbor:"note"`
}

// Limits on contributions and reviews.
const (
	MaxContributionMinutes = 24 * 60 * 31
	MaxWhatLen             = 2000
	MaxLinkLen             = 500
	MaxGuildLen            = 64
	MaxBeneficiaries       = 50
	MinRating              = 1
	MaxRating              = 5
	// DateLayout is the layout of Contribution.Date.
	DateLayout = "2006-01-02"
)

// View keys of the contribution ledger. Members and CIDs inside keys are
// length-prefixed (see ledger.Account).
const (
	kContrib  = "contrib/" // contribution CID -> ContributionView
	kContribs = "cby/"     // member, time, contribution CID -> nil
	kReview   = "rev/"     // contribution CID, reviewer member -> ReviewView
	kReviews  = "rby/"     // reviewer member, time, review CID -> contribution CID
)

// ContributionView is a contribution as the ledger shows it, with the
// aggregates of the reviews in effect (each reviewer's latest).
type ContributionView struct {
	ID            []byte   `cbor:"id"`
	Member        []byte   `cbor:"member"`
	What          string   `cbor:"what"`
	Skill         string   `cbor:"skill"`
	Minutes       uint64   `cbor:"min"`
	Date          string   `cbor:"date"`
	Link          string   `cbor:"link"`
	Beneficiaries [][]byte `cbor:"for"`
	Guild         string   `cbor:"guild"`
	Created       crdt.HLC `cbor:"created"`
	// Reviews is the number of reviewers; QualitySum and ImpactSum add up
	// their latest ratings.
	Reviews    uint64 `cbor:"n"`
	QualitySum uint64 `cbor:"qs"`
	ImpactSum  uint64 `cbor:"is"`
}

// Hours returns the contribution's duration in hours.
func (c ContributionView) Hours() float64 { return float64(c.Minutes) / 60 }

// AvgQuality returns the mean quality rating, 0 when unreviewed.
func (c ContributionView) AvgQuality() float64 {
	if c.Reviews == 0 {
		return 0
	}
	return float64(c.QualitySum) / float64(c.Reviews)
}

// AvgImpact returns the mean impact rating, 0 when unreviewed.
func (c ContributionView) AvgImpact() float64 {
	if c.Reviews == 0 {
		return 0
	}
	return float64(c.ImpactSum) / float64(c.Reviews)
}

// Day returns the contribution's date as midnight UTC.
func (c ContributionView) Day() (time.Time, error) {
	d, err := time.Parse(DateLayout, c.Date)
	if err != nil {
		return d, fmt.Errorf("%w: contribution date %q: %v", crdt.ErrCorrupt, c.Date, err)
	}
	return d, nil
}

// ReviewView is the review in effect of one reviewer on one contribution.
type ReviewView struct {
	// ID is the CID of the review record.
	ID           []byte `cbor:"id"`
	Contribution []byte `cbor:"contribution"`
	// Reviewer is the reviewing member.
	Reviewer []byte `cbor:"by"`
	Quality  uint64 `cbor:"q"`
	Impact   uint64 `cbor:"i"`
	Note     string `cbor:"note"`
	// V orders a reviewer's reviews of the contribution; V.Time is the
	// review's time.
	V Version `cbor:"v"`
}

func checkContribution(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	c := new(Contribution)
	if err := DecodeBody(e.Rec, c); err != nil {
		return err
	}
	e.Body = c
	if strings.TrimSpace(c.What) == "" {
		return fmt.Errorf("%w: a contribution says what was done", ErrBadBody)
	}
	if strings.TrimSpace(c.Skill) == "" {
		return fmt.Errorf("%w: a contribution needs a skill", ErrBadBody)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"what", c.What, MaxWhatLen}, {"skill", c.Skill, MaxSkillLen}, {"link", c.Link, MaxLinkLen}, {"guild", c.Guild, MaxGuildLen}} {
		if err := CheckText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if c.Minutes == 0 || c.Minutes > MaxContributionMinutes {
		return fmt.Errorf("%w: a contribution lasts 1 to %d minutes", ErrBadBody, MaxContributionMinutes)
	}
	if err := checkDate(c.Date, e.Rec.Time); err != nil {
		return err
	}
	if err := checkLink(c.Link); err != nil {
		return err
	}
	if len(c.Beneficiaries) > MaxBeneficiaries {
		return fmt.Errorf("%w: more than %d beneficiaries", ErrBadBody, MaxBeneficiaries)
	}
	var author []byte
	if e.PrevMeta != nil { // always set: a contribution is never a chain's first record
		author = e.PrevMeta.Member
	}
	for i, b := range c.Beneficiaries {
		if len(b) != ed25519.PublicKeySize && !bytes.Equal(b, Community) {
			return fmt.Errorf("%w: beneficiary key", ErrBadBody)
		}
		if i > 0 && bytes.Compare(c.Beneficiaries[i-1], b) >= 0 {
			return fmt.Errorf("%w: beneficiaries not sorted or repeated", ErrBadBody)
		}
		if author != nil && bytes.Equal(b, author) {
			return fmt.Errorf("%w: a contribution to oneself", ErrNotAllowed)
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
		return fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrBadBody, s)
	}
	if d.Year() < 1900 {
		return fmt.Errorf("%w: date %q before 1900", ErrBadBody, s)
	}
	if d.UnixMilli() > int64(at.Millis())+24*3600*1000 {
		return fmt.Errorf("%w: date %q is after the record was written", ErrBadBody, s)
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
		return fmt.Errorf("%w: link contains spaces", ErrBadBody)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: link %q is not an http(s) URL", ErrBadBody, s)
	}
	return nil
}

func checkReview(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rv := new(Review)
	if err := DecodeBody(e.Rec, rv); err != nil {
		return err
	}
	e.Body = rv
	if rv.Quality < MinRating || rv.Quality > MaxRating || rv.Impact < MinRating || rv.Impact > MaxRating {
		return fmt.Errorf("%w: ratings go from %d to %d", ErrBadBody, MinRating, MaxRating)
	}
	if err := CheckText("note", rv.Note, MaxNoteLen); err != nil {
		return err
	}
	cm, err := DepMeta(e, rv.Contribution.Cid)
	if err != nil {
		return err
	}
	if cm.Type != TypeContribution {
		return fmt.Errorf("%w: %s is not a contribution", ErrBadBody, rv.Contribution.Cid)
	}
	if bytes.Equal(cm.Member, m.Member) {
		return fmt.Errorf("%w: a review of one's own contribution", ErrNotAllowed)
	}
	return nil
}

func applyContribution(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	c, ok := e.Body.(*Contribution)
	if !ok {
		c = new(Contribution)
		if err := DecodeBody(e.Rec, c); err != nil {
			return err
		}
	}
	id := e.CID.Bytes()
	cv := ContributionView{ID: id, Member: m.Member, What: c.What, Skill: NormSkill(c.Skill), Minutes: c.Minutes,
		Date: c.Date, Link: c.Link, Beneficiaries: c.Beneficiaries, Guild: strings.TrimSpace(c.Guild), Created: e.Rec.Time}
	if cv.Beneficiaries == nil {
		cv.Beneficiaries = [][]byte{}
	}
	k := kContrib + Account(id)
	var old ContributionView
	found, err := Get(v, k, &old)
	if err != nil {
		return err
	}
	if found { // cannot happen (reviews depend on it); keep their aggregates
		cv.Reviews, cv.QualitySum, cv.ImpactSum = old.Reviews, old.QualitySum, old.ImpactSum
	}
	if err := v.Put(contribIndexKey(m.Member, e.Rec.Time, id), nil); err != nil {
		return err
	}
	return Put(v, k, cv)
}

// applyReview keeps each reviewer's latest review by Version and the
// contribution's sums equal to the sums of those reviews, whatever order
// the reviews arrive in.
func applyReview(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rv, ok := e.Body.(*Review)
	if !ok {
		rv = new(Review)
		if err := DecodeBody(e.Rec, rv); err != nil {
			return err
		}
	}
	cidb := rv.Contribution.Bytes()
	ck := kContrib + Account(cidb)
	var cv ContributionView
	if ok, err := Get(v, ck, &cv); err != nil || !ok {
		return err // the contribution took no effect
	}
	rk := reviewKey(cidb, m.Member)
	ver := Version{Time: e.Rec.Time, Device: e.Rec.Author, Seq: e.Rec.Seq}
	var old ReviewView
	had, err := Get(v, rk, &old)
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
	if err := Put(v, rk, ReviewView{ID: id, Contribution: cidb, Reviewer: m.Member, Quality: rv.Quality, Impact: rv.Impact,
		Note: rv.Note, V: ver}); err != nil {
		return err
	}
	if err := v.Put(reviewByKey(m.Member, e.Rec.Time, id), cidb); err != nil {
		return err
	}
	return Put(v, ck, cv)
}

func contribIndexKey(member []byte, t crdt.HLC, id []byte) string {
	return kContribs + Account(member) + BE64(uint64(t)) + Account(id)
}

func reviewKey(contribution, reviewer []byte) string {
	return kReview + Account(contribution) + Account(reviewer)
}

func reviewByKey(reviewer []byte, t crdt.HLC, id []byte) string {
	return kReviews + Account(reviewer) + BE64(uint64(t)) + Account(id)
}

// ContributionByID returns one contribution with its review aggregates; ok
// is false when it is unknown or took no effect.
func ContributionByID(r *crdt.Reader, id cid.Cid) (ContributionView, bool, error) {
	var cv ContributionView
	ok, err := Get(r, kContrib+Account(id.Bytes()), &cv)
	return cv, ok, err
}

// ContributionQuery filters contributions.
type ContributionQuery struct {
	// Member keeps one member's contributions; nil for everyone's.
	Member []byte
	// Skill matches the skill exactly (case-insensitive); empty for any.
	Skill string
	// Limit caps the number returned; 0 or less for no cap.
	Limit int
}

// Contributions returns the contributions matching q, newest first by the
// time they were recorded (ties by CID, descending). With a member its cost is that of
// the member's contributions, otherwise of all contributions.
func Contributions(r *crdt.Reader, q ContributionQuery) ([]ContributionView, error) {
	skill := NormSkill(q.Skill)
	keep := func(cv ContributionView) bool { return skill == "" || cv.Skill == skill }
	full := func(n int) bool { return q.Limit > 0 && n >= q.Limit }
	var out []ContributionView
	if q.Member != nil {
		prefix := kContribs + Account(q.Member)
		err := r.ScanBack(prefix, "", func(k string, _ []byte) error {
			if full(len(out)) {
				return crdt.ErrStop
			}
			rest := k[len(prefix):]
			if len(rest) < 8 {
				return fmt.Errorf("%w: contribution index key", crdt.ErrCorrupt)
			}
			id, tail, ok := CutAccount(rest[8:])
			if !ok || tail != "" {
				return fmt.Errorf("%w: contribution index key", crdt.ErrCorrupt)
			}
			var cv ContributionView
			if ok, err := Get(r, kContrib+Account([]byte(id)), &cv); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("%w: indexed contribution missing", crdt.ErrCorrupt)
			}
			if keep(cv) {
				out = append(out, cv)
			}
			return nil
		})
		return out, err
	}
	err := r.Scan(kContrib, func(_ string, b []byte) error {
		var cv ContributionView
		if err := crdt.Unmarshal(b, &cv); err != nil {
			return fmt.Errorf("%w: contribution view: %v", crdt.ErrCorrupt, err)
		}
		if keep(cv) {
			out = append(out, cv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, newestContribution)
	if full(len(out)) {
		out = out[:q.Limit]
	}
	return out, nil
}

// newestContribution orders contributions newest first by recording
// time, then by CID descending, as the member index does.
func newestContribution(a, b ContributionView) int {
	if a.Created != b.Created {
		if a.Created > b.Created {
			return -1
		}
		return 1
	}
	return bytes.Compare(b.ID, a.ID)
}

// ReviewsOf returns the reviews in effect of a contribution (each
// reviewer's latest), newest first.
func ReviewsOf(r *crdt.Reader, contribution cid.Cid) ([]ReviewView, error) {
	var out []ReviewView
	err := r.Scan(kReview+Account(contribution.Bytes()), func(_ string, b []byte) error {
		var rv ReviewView
		if err := crdt.Unmarshal(b, &rv); err != nil {
			return fmt.Errorf("%w: review view: %v", crdt.ErrCorrupt, err)
		}
		out = append(out, rv)
		return nil
	})
	sortReviews(out)
	return out, err
}

func sortReviews(rs []ReviewView) {
	slices.SortFunc(rs, func(a, b ReviewView) int {
		switch {
		case b.V.Less(a.V):
			return -1
		case a.V.Less(b.V):
			return 1
		}
		return bytes.Compare(a.Reviewer, b.Reviewer)
	})
}

// ReviewsBy returns up to limit (0 or less: all) of the reviews in effect
// that a member wrote, newest first.
func ReviewsBy(r *crdt.Reader, member []byte, limit int) ([]ReviewView, error) {
	prefix := kReviews + Account(member)
	var keys []string
	if err := r.ScanBack(prefix, "", func(_ string, v []byte) error {
		if limit > 0 && len(keys) == limit {
			return crdt.ErrStop
		}
		keys = append(keys, reviewKey(v, member))
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]ReviewView, 0, len(keys))
	for _, k := range keys {
		var rv ReviewView
		if ok, err := Get(r, k, &rv); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: indexed review missing", crdt.ErrCorrupt)
		}
		out = append(out, rv)
	}
	return out, nil
}
