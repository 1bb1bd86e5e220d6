// Package contrib is the society's contribution ledger: a ledger module
// (see ledger.Module) with the contribution and review record types, and
// the queries over its views. Reputation and CVs, which also read the time
// bank, are derived in package reputation.
//
// Its files follow every module's rooms: types.go (record bodies, views and
// view keys), check.go (may a record be stored?), apply.go (what it does to
// the views), query.go (what front ends read) and module.go (the
// registration).
package contrib

import (
	"fmt"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// Record types of the contribution ledger.
//
// A contribution records work a member did for others: what, in which
// skill, how long, on which day, for whom (members, the community, a
// guild), with an optional link to evidence. Other members review it; each
// reviewer's latest review counts. Reputation and CVs are derived from
// contributions, reviews and the time bank at query time (see package reputation).
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
	// Beneficiaries are member keys or membership.Community, sorted and unique.
	Beneficiaries [][]byte `cbor:"for"`
	// Guild optionally names the group the work was done for.
	Guild string `cbor:"guild"`
}

// Review is a member's peer review of another member's contribution. A
// reviewer's later review of the same contribution, by ledger.Version, replaces
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
	V ledger.Version `cbor:"v"`
}
