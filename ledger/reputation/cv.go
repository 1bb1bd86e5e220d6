// # Reputation and CVs
//
// Reputation is derived at query time from a member's contributions, the
// reviews those contributions received, and the time bank, as of a time
// now passed by the caller (the folds never read a clock). Per skill s:
//
//	w(t)          = 2^(-age(t) / H), age(t) = max(0, now - t) in days,
//	                H = Settings.HalfLifeDays of the society
//	hours         = Σ minutes_e / 60 over the events e of skill s
//	decayed hours = Σ (minutes_e / 60) · w(t_e)
//	avg quality   = Σ w(t_r) · quality_r / Σ w(t_r) over the reviews r in
//	                effect of the member's contributions of skill s
//	                (3 when there are none, or their weights sum to 0)
//	avg impact    = the same with impact_r
//	score         = decayed hours × (avg quality + avg impact) / 10
//
// The events are the member's contributions (t_e is the contribution's
// date, midnight UTC) and the time-bank legs the member provided: the
// provider-side statement lines with positive minutes that are not
// reversals (t_e is the confirmation's time, the skill the transfer's). A
// leg later reversed by consent of both parties counts for nothing. The
// time of a review, t_r, is its record's time. Unreviewed work thus scores
// 3/5: score = decayed hours × 0.6. Satisfied and unsatisfied count the
// short reviews that confirmations of "give" transfers carry (the receiver
// reviewing the provider); a "pay" transfer's confirmation is written by
// the provider, so its review is not one the provider received.
package reputation

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// SkillReputation is a member's standing in one skill as of a time.
type SkillReputation struct {
	Skill string `json:"skill"`
	// Hours is ContributionHours plus TimeBankHours, undecayed.
	Hours             float64 `json:"hours"`
	ContributionHours float64 `json:"contribution_hours"`
	TimeBankHours     float64 `json:"time_bank_hours"`
	// DecayedHours weighs each event's hours by 2^(-age/half-life).
	DecayedHours float64 `json:"decayed_hours"`
	// Reviews counts the reviews in effect of the skill's contributions.
	Reviews int `json:"reviews"`
	// AvgQuality and AvgImpact are decay-weighted means; 3 when unreviewed.
	AvgQuality float64 `json:"avg_quality"`
	AvgImpact  float64 `json:"avg_impact"`
	// Satisfied and Unsatisfied count the transfer reviews received.
	Satisfied   int `json:"satisfied"`
	Unsatisfied int `json:"unsatisfied"`
	// Score is DecayedHours × (AvgQuality + AvgImpact) / 10.
	Score float64 `json:"score"`
}

// CV is a member's record of work: profile, hours, reputation,
// contributions with their reviews, and time-bank services provided. Keys
// are kept as bytes (json "-"); SetIDs fills the string IDs beside them.
type CV struct {
	Member   []byte `json:"-"`
	MemberID string `json:"member,omitempty"`
	Name     string `json:"name"`
	Bio      string `json:"bio,omitempty"`
	Status   string `json:"status"`
	// ProfileSkills are the skills the member lists; Skills adds those of
	// their contributions and time-bank services, sorted.
	ProfileSkills []string `json:"profile_skills"`
	Skills        []string `json:"skills"`
	// AsOf is the time the decay was computed for.
	AsOf         time.Time `json:"as_of"`
	HalfLifeDays uint64    `json:"half_life_days"`
	// Hours totals, undecayed, and the decayed hours and score summed over
	// the skills.
	TotalHours        float64 `json:"total_hours"`
	ContributionHours float64 `json:"contribution_hours"`
	TimeBankHours     float64 `json:"time_bank_hours"`
	DecayedHours      float64 `json:"decayed_hours"`
	Score             float64 `json:"score"`
	Satisfied         int     `json:"satisfied"`
	Unsatisfied       int     `json:"unsatisfied"`
	// Reputation is per skill, sorted by skill.
	Reputation []SkillReputation `json:"reputation"`
	// Contributions are newest first by date.
	Contributions []CVContribution `json:"contributions"`
	// TimeBank lists the legs the member provided, newest first.
	TimeBank []CVTimeBankLine `json:"time_bank"`
	// Reviews are the reviews in effect of the member's contributions,
	// newest first.
	Reviews []CVReview `json:"reviews"`
	// TransferReviews are the reviews that confirmations of services the
	// member provided carry, newest first.
	TransferReviews []CVTransferReview `json:"transfer_reviews"`
}

// CVContribution is a contribution in a CV, with its review aggregates.
type CVContribution struct {
	// ID is the contribution's CID.
	ID            string   `json:"id"`
	What          string   `json:"what"`
	Skill         string   `json:"skill"`
	Minutes       uint64   `json:"minutes"`
	Hours         float64  `json:"hours"`
	Date          string   `json:"date"`
	Link          string   `json:"link,omitempty"`
	Beneficiaries [][]byte `json:"-"`
	// BeneficiaryIDs are filled by SetIDs.
	BeneficiaryIDs []string  `json:"beneficiaries,omitempty"`
	Guild          string    `json:"guild,omitempty"`
	Recorded       time.Time `json:"recorded"`
	Reviews        uint64    `json:"reviews"`
	// AvgQuality and AvgImpact are plain means, 0 when unreviewed.
	AvgQuality float64 `json:"avg_quality"`
	AvgImpact  float64 `json:"avg_impact"`
}

// CVTimeBankLine is a time-bank leg the member provided.
type CVTimeBankLine struct {
	// Transfer is the transfer's CID, Leg the leg's index in it.
	Transfer     string `json:"transfer"`
	Leg          int    `json:"leg"`
	Counterparty []byte `json:"-"`
	// CounterpartyID is filled by SetIDs.
	CounterpartyID string    `json:"counterparty,omitempty"`
	Skill          string    `json:"skill"`
	Note           string    `json:"note,omitempty"`
	Minutes        uint64    `json:"minutes"`
	Hours          float64   `json:"hours"`
	Time           time.Time `json:"time"`
	// Review is the review the receiver's confirmation carried, if any.
	Review *timebank.TransferReview `json:"review,omitempty"`
}

// CVReview is a review of one of the member's contributions.
type CVReview struct {
	// ID is the review's CID, Contribution the contribution's.
	ID           string `json:"id"`
	Contribution string `json:"contribution"`
	Reviewer     []byte `json:"-"`
	// ReviewerID is filled by SetIDs.
	ReviewerID string    `json:"reviewer,omitempty"`
	Quality    uint64    `json:"quality"`
	Impact     uint64    `json:"impact"`
	Note       string    `json:"note,omitempty"`
	Time       time.Time `json:"time"`
}

// CVTransferReview is the short review a confirmation carried.
type CVTransferReview struct {
	Transfer string `json:"transfer"`
	Leg      int    `json:"leg"`
	// From is the receiver who confirmed; FromID is filled by SetIDs.
	From      []byte    `json:"-"`
	FromID    string    `json:"from,omitempty"`
	Skill     string    `json:"skill"`
	Satisfied bool      `json:"satisfied"`
	Note      string    `json:"note,omitempty"`
	Time      time.Time `json:"time"`
}

// CommunityID is the string ID of the community account in CVs and exports.
const CommunityID = "community"

// agentID names an account: CommunityID for the community account, idOf
// (hex when nil) for a member.
func agentID(key []byte, idOf func([]byte) string) string {
	if bytes.Equal(key, membership.Community) {
		return CommunityID
	}
	if idOf == nil {
		return hex.EncodeToString(key)
	}
	return idOf(key)
}

// ref names an account by its key, or, when the key is missing (a CV
// decoded from JSON), by the string ID SetIDs stored beside it.
func ref(key []byte, id string, idOf func([]byte) string) string {
	if key == nil {
		return id
	}
	return agentID(key, idOf)
}

// refs is ref for a list of accounts.
func refs(keys [][]byte, ids []string, idOf func([]byte) string) []string {
	if len(keys) == 0 {
		return slices.Clone(ids)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = agentID(k, idOf)
	}
	return out
}

// SetIDs fills the string IDs of the CV's keys with idOf (hex when nil),
// for JSON output.
func (cv *CV) SetIDs(idOf func([]byte) string) {
	cv.MemberID = agentID(cv.Member, idOf)
	for i := range cv.Contributions {
		c := &cv.Contributions[i]
		c.BeneficiaryIDs = make([]string, len(c.Beneficiaries))
		for j, b := range c.Beneficiaries {
			c.BeneficiaryIDs[j] = agentID(b, idOf)
		}
	}
	for i := range cv.TimeBank {
		cv.TimeBank[i].CounterpartyID = agentID(cv.TimeBank[i].Counterparty, idOf)
	}
	for i := range cv.Reviews {
		cv.Reviews[i].ReviewerID = agentID(cv.Reviews[i].Reviewer, idOf)
	}
	for i := range cv.TransferReviews {
		cv.TransferReviews[i].FromID = agentID(cv.TransferReviews[i].From, idOf)
	}
}

// workData is what reputation and CVs are computed from.
type workData struct {
	halfLife uint64
	contribs []contrib.ContributionView
	reviews  [][]contrib.ReviewView // aligned with contribs
	credits  []CVTimeBankLine
}

func gatherWork(r *crdt.Reader, member []byte, halfLife uint64) (workData, error) {
	var d workData
	soc, err := membership.Society(r)
	if err != nil {
		return d, err
	}
	d.halfLife = soc.Settings.HalfLifeDays
	if halfLife > 0 {
		d.halfLife = halfLife
	}
	if d.contribs, err = contrib.Contributions(r, contrib.ContributionQuery{Member: member}); err != nil {
		return d, err
	}
	d.reviews = make([][]contrib.ReviewView, len(d.contribs))
	for i, c := range d.contribs {
		id, err := cid.Cast(c.ID)
		if err != nil {
			return d, fmt.Errorf("%w: contribution ID: %v", crdt.ErrCorrupt, err)
		}
		if d.reviews[i], err = contrib.ReviewsOf(r, id); err != nil {
			return d, err
		}
	}
	lines, err := timebank.StatementAll(r, member)
	if err != nil {
		return d, err
	}
	type legID struct {
		tx  string
		leg uint16
	}
	reversed := map[legID]bool{}
	for _, l := range lines {
		if l.Reversal {
			reversed[legID{string(l.Transfer), l.Leg}] = true
		}
	}
	modes := map[string]string{}
	for _, l := range lines {
		if l.Minutes <= 0 || l.Reversal || reversed[legID{string(l.Transfer), l.Leg}] {
			continue
		}
		txID, err := cid.Cast(l.Transfer)
		if err != nil {
			return d, fmt.Errorf("%w: statement transfer ID: %v", crdt.ErrCorrupt, err)
		}
		cl := CVTimeBankLine{Transfer: txID.String(), Leg: int(l.Leg), Counterparty: l.Counterparty, Skill: l.Skill,
			Note: l.Note, Minutes: uint64(l.Minutes), Hours: float64(l.Minutes) / 60, Time: l.Time.Time(), Review: l.Review}
		if l.Review != nil { // a review the provider received: the receiver confirmed a give
			mode, ok := modes[string(l.Transfer)]
			if !ok {
				tv, found, err := timebank.TransferByID(r, txID)
				if err != nil {
					return d, err
				}
				if found {
					mode = tv.Mode
				}
				modes[string(l.Transfer)] = mode
			}
			if mode != timebank.ModeGive {
				cl.Review = nil
			}
		}
		d.credits = append(d.credits, cl)
	}
	return d, nil
}

// decay returns 2^(-age/halfLife) for an event at unix milliseconds ms,
// with age = max(0, now - ms) in days; no decay when halfLife is 0.
func decay(ms int64, now time.Time, halfLife uint64) float64 {
	if halfLife == 0 {
		return 1
	}
	age := float64(now.UnixMilli()-ms) / float64(24*time.Hour/time.Millisecond)
	if age <= 0 {
		return 1
	}
	return math.Exp2(-age / float64(halfLife))
}

func hlcMillis(h crdt.HLC) int64 { return int64(h.Millis()) }

func (d *workData) reputation(now time.Time) ([]SkillReputation, error) {
	type acc struct {
		SkillReputation
		wq, wi, w float64
	}
	by := map[string]*acc{}
	at := func(skill string) *acc {
		a, ok := by[skill]
		if !ok {
			a = &acc{SkillReputation: SkillReputation{Skill: skill}}
			by[skill] = a
		}
		return a
	}
	for i, c := range d.contribs {
		day, err := c.Day()
		if err != nil {
			return nil, err
		}
		a := at(c.Skill)
		a.ContributionHours += c.Hours()
		a.DecayedHours += c.Hours() * decay(day.UnixMilli(), now, d.halfLife)
		for _, rv := range d.reviews[i] {
			w := decay(hlcMillis(rv.V.Time), now, d.halfLife)
			a.Reviews++
			a.w += w
			a.wq += w * float64(rv.Quality)
			a.wi += w * float64(rv.Impact)
		}
	}
	for _, l := range d.credits {
		a := at(l.Skill)
		a.TimeBankHours += l.Hours
		a.DecayedHours += l.Hours * decay(l.Time.UnixMilli(), now, d.halfLife)
		if l.Review != nil {
			if l.Review.Satisfied {
				a.Satisfied++
			} else {
				a.Unsatisfied++
			}
		}
	}
	out := make([]SkillReputation, 0, len(by))
	for _, a := range by {
		s := a.SkillReputation
		s.Hours = s.ContributionHours + s.TimeBankHours
		s.AvgQuality, s.AvgImpact = 3, 3
		if a.w > 0 {
			s.AvgQuality, s.AvgImpact = a.wq/a.w, a.wi/a.w
		}
		s.Score = s.DecayedHours * (s.AvgQuality + s.AvgImpact) / 10
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b SkillReputation) int { return strings.Compare(a.Skill, b.Skill) })
	return out, nil
}

// Reputation returns a member's reputation per skill as of now, sorted by
// skill, computed from their contributions, the reviews in effect of them,
// and the time-bank legs they provided:
//
//	w(t)          = 2^(-max(0, now - t in days) / Settings.HalfLifeDays)
//	decayed hours = Σ hours_e · w(t_e)   (t_e: contribution date, or leg confirmation time)
//	avg quality   = Σ w(t_r) · quality_r / Σ w(t_r)   (3 when unreviewed; avg impact alike)
//	score         = decayed hours × (avg quality + avg impact) / 10
//
// Legs reversed by consent count for nothing. See the package
// documentation's "Reputation and CVs" section.
func Reputation(r *crdt.Reader, member []byte, now time.Time) ([]SkillReputation, error) {
	return ReputationWithHalfLife(r, member, now, 0)
}

// ReputationWithHalfLife is Reputation with a half-life in days other than
// the one the membership records set (0 keeps that one): the one a
// decision of the society set, for instance.
func ReputationWithHalfLife(r *crdt.Reader, member []byte, now time.Time, halfLifeDays uint64) ([]SkillReputation, error) {
	d, err := gatherWork(r, member, halfLifeDays)
	if err != nil {
		return nil, err
	}
	return d.reputation(now)
}

// BuildCV assembles a member's CV as of now: profile, skills (from the
// profile, contributions and time-bank services), hours, reputation per
// skill (see Reputation), contributions with their review aggregates, the
// reviews received and the transfer reviews received. Call SetIDs before
// encoding it as JSON.
func BuildCV(r *crdt.Reader, member []byte, now time.Time) (CV, error) {
	return BuildCVWithHalfLife(r, member, now, 0)
}

// BuildCVWithHalfLife is BuildCV with a half-life in days other than the
// one the membership records set (0 keeps that one).
func BuildCVWithHalfLife(r *crdt.Reader, member []byte, now time.Time, halfLifeDays uint64) (CV, error) {
	mv, ok, err := membership.Member(r, member)
	if err != nil {
		return CV{}, err
	}
	if !ok {
		return CV{}, fmt.Errorf("%w: member %x", crdt.ErrNotFound, member)
	}
	d, err := gatherWork(r, member, halfLifeDays)
	if err != nil {
		return CV{}, err
	}
	cv := CV{Member: mv.Key, Name: mv.Name, Bio: mv.Bio, Status: mv.Status, ProfileSkills: slices.Clone(mv.Skills),
		AsOf: now.UTC(), HalfLifeDays: d.halfLife, Contributions: []CVContribution{}, TimeBank: []CVTimeBankLine{},
		Reviews: []CVReview{}, TransferReviews: []CVTransferReview{}}
	if cv.ProfileSkills == nil {
		cv.ProfileSkills = []string{}
	}
	if cv.Reputation, err = d.reputation(now); err != nil {
		return CV{}, err
	}
	skills := slices.Clone(cv.ProfileSkills)
	for _, s := range cv.Reputation {
		skills = append(skills, s.Skill)
		cv.ContributionHours += s.ContributionHours
		cv.TimeBankHours += s.TimeBankHours
		cv.DecayedHours += s.DecayedHours
		cv.Score += s.Score
		cv.Satisfied += s.Satisfied
		cv.Unsatisfied += s.Unsatisfied
	}
	cv.TotalHours = cv.ContributionHours + cv.TimeBankHours
	slices.Sort(skills)
	cv.Skills = slices.Compact(skills)

	for i, c := range d.contribs {
		id, err := cid.Cast(c.ID)
		if err != nil {
			return CV{}, fmt.Errorf("%w: contribution ID: %v", crdt.ErrCorrupt, err)
		}
		cv.Contributions = append(cv.Contributions, CVContribution{ID: id.String(), What: c.What, Skill: c.Skill,
			Minutes: c.Minutes, Hours: c.Hours(), Date: c.Date, Link: c.Link, Beneficiaries: c.Beneficiaries, Guild: c.Guild,
			Recorded: c.Created.Time(), Reviews: c.Reviews, AvgQuality: c.AvgQuality(), AvgImpact: c.AvgImpact()})
		for _, rv := range d.reviews[i] {
			rid, err := cid.Cast(rv.ID)
			if err != nil {
				return CV{}, fmt.Errorf("%w: review ID: %v", crdt.ErrCorrupt, err)
			}
			cv.Reviews = append(cv.Reviews, CVReview{ID: rid.String(), Contribution: id.String(), Reviewer: rv.Reviewer,
				Quality: rv.Quality, Impact: rv.Impact, Note: rv.Note, Time: rv.V.Time.Time()})
		}
	}
	// contrib.Contributions come newest first by recording time; a CV lists them
	// by the day of the work (the sort is stable).
	slices.SortStableFunc(cv.Contributions, func(a, b CVContribution) int { return strings.Compare(b.Date, a.Date) })
	slices.SortStableFunc(cv.Reviews, func(a, b CVReview) int { return b.Time.Compare(a.Time) })
	for i := len(d.credits) - 1; i >= 0; i-- { // statements are oldest first
		l := d.credits[i]
		cv.TimeBank = append(cv.TimeBank, l)
		if l.Review != nil {
			cv.TransferReviews = append(cv.TransferReviews, CVTransferReview{Transfer: l.Transfer, Leg: l.Leg, From: l.Counterparty,
				Skill: l.Skill, Satisfied: l.Review.Satisfied, Note: l.Review.Note, Time: l.Time})
		}
	}
	return cv, nil
}

// csvSafe keeps a spreadsheet from reading free text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// CVCSVHeader is the header row WriteCVCSV writes.
var CVCSVHeader = []string{"kind", "id", "date", "skill", "minutes", "hours", "description", "counterparties", "guild",
	"link", "reviews", "avg_quality", "avg_impact", "satisfied", "review_note"}

// WriteCVCSV writes a CV's hours as CSV: the header row CVCSVHeader, then
// one row per contribution (kind "contribution") and per time-bank leg
// provided (kind "time-bank", id "<transfer CID>/<leg>"). Member keys are
// written with idOf (hex when nil; the community account as CommunityID);
// a CV decoded from JSON, which has no keys, uses the IDs SetIDs stored.
// Free text starting with = + - @ is prefixed with ' so that spreadsheets
// do not run it.
func WriteCVCSV(w io.Writer, cv CV, idOf func([]byte) string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CVCSVHeader); err != nil {
		return fmt.Errorf("ledger: write CV CSV: %w", err)
	}
	for _, c := range cv.Contributions {
		ids := refs(c.Beneficiaries, c.BeneficiaryIDs, idOf)
		avgQ, avgI := "", ""
		if c.Reviews > 0 {
			avgQ, avgI = fmtFloat(c.AvgQuality), fmtFloat(c.AvgImpact)
		}
		row := []string{"contribution", c.ID, c.Date, csvSafe(c.Skill), strconv.FormatUint(c.Minutes, 10), fmtFloat(c.Hours),
			csvSafe(c.What), strings.Join(ids, " "), csvSafe(c.Guild), csvSafe(c.Link), strconv.FormatUint(c.Reviews, 10), avgQ, avgI, "", ""}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("ledger: write CV CSV: %w", err)
		}
	}
	for _, l := range cv.TimeBank {
		sat, note := "", ""
		if l.Review != nil {
			sat, note = "no", csvSafe(l.Review.Note)
			if l.Review.Satisfied {
				sat = "yes"
			}
		}
		row := []string{"time-bank", l.Transfer + "/" + strconv.Itoa(l.Leg), l.Time.UTC().Format(contrib.DateLayout), csvSafe(l.Skill),
			strconv.FormatUint(l.Minutes, 10), fmtFloat(l.Hours), csvSafe(l.Note), ref(l.Counterparty, l.CounterpartyID, idOf), "", "", "", "", "", sat, note}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("ledger: write CV CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("ledger: write CV CSV: %w", err)
	}
	return nil
}

// JSON-LD namespaces of CVJSONLD.
const (
	NSValueFlows = "https://w3id.org/valueflows/ont/vf#"
	NSOM2        = "http://www.ontology-of-units-of-measure.org/resource/om-2/"
	NSCommons    = "urn:commons:"
)

// iri turns an account's string ID into its IRI.
func iri(id string) string {
	if id == CommunityID {
		return "commons:community"
	}
	return "commons:member:" + id
}

func skillIRI(skill string) string { return "commons:skill:" + url.PathEscape(skill) }

func hoursMeasure(h float64) map[string]any {
	return map[string]any{"@type": "om2:Measure", "om2:hasUnit": "om2:hour", "om2:hasNumericalValue": h}
}

// one returns a single value as itself and several as a list.
func one(vs []any) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}

// CVJSONLD returns a CV as ValueFlows JSON-LD, ready for encoding/json: an
// "@graph" holding the member (vf:Person), one vf:EconomicEvent with
// vf:action "work" per contribution and per time-bank leg provided (hours
// as an om2:Measure, the skill as vf:resourceClassifiedAs and
// vf:resourceConformsTo, the time as vf:hasPointInTime in RFC 3339), and
// one vf:Appreciation per review received (vf:appreciationOf names the
// event). Member IRIs are "commons:member:<idOf(key)>" (hex when idOf is
// nil; the IDs SetIDs stored for a CV decoded from JSON), the community
// account "commons:community", with "commons:" bound to NSCommons. Review
// ratings, reviewers and the reputation figures use commons: terms.
func CVJSONLD(cv CV, idOf func([]byte) string) map[string]any {
	ctx := map[string]any{
		"vf":      NSValueFlows,
		"om2":     NSOM2,
		"commons": NSCommons,
		"xsd":     "http://www.w3.org/2001/XMLSchema#",
		"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
		"@vocab":  NSValueFlows,

		"vf:action":                  map[string]any{"@type": "@vocab"},
		"vf:provider":                map[string]any{"@type": "@id"},
		"vf:receiver":                map[string]any{"@type": "@id"},
		"vf:inScopeOf":               map[string]any{"@type": "@id"},
		"vf:appreciationOf":          map[string]any{"@type": "@id"},
		"vf:resourceClassifiedAs":    map[string]any{"@type": "@id"},
		"vf:hasPointInTime":          map[string]any{"@type": "xsd:dateTime"},
		"om2:hasUnit":                map[string]any{"@type": "@id"},
		"om2:hasNumericalValue":      map[string]any{"@type": "xsd:double"},
		"rdfs:seeAlso":               map[string]any{"@type": "@id"},
		"commons:reviewer":           map[string]any{"@type": "@id"},
		"commons:quality":            map[string]any{"@type": "xsd:integer"},
		"commons:impact":             map[string]any{"@type": "xsd:integer"},
		"commons:satisfied":          map[string]any{"@type": "xsd:boolean"},
		"commons:reputationScore":    map[string]any{"@type": "xsd:double"},
		"commons:decayedHours":       map[string]any{"@type": "xsd:double"},
		"commons:reputationAsOf":     map[string]any{"@type": "xsd:dateTime"},
		"commons:reputationHalfLife": map[string]any{"@type": "xsd:integer"},
		"commons:reviewedAt":         map[string]any{"@type": "xsd:dateTime"},
	}
	me := iri(ref(cv.Member, cv.MemberID, idOf))
	person := map[string]any{"@id": me, "@type": "vf:Person", "vf:name": cv.Name,
		"commons:skill": cv.Skills, "commons:decayedHours": cv.DecayedHours, "commons:reputationScore": cv.Score,
		"commons:reputationAsOf": cv.AsOf.Format(time.RFC3339), "commons:reputationHalfLife": cv.HalfLifeDays}
	if cv.Bio != "" {
		person["vf:note"] = cv.Bio
	}
	graph := []any{person}
	event := func(id, skill string, hours float64, at time.Time) map[string]any {
		return map[string]any{"@id": id, "@type": "vf:EconomicEvent", "vf:action": "work", "vf:provider": me,
			"vf:effortQuantity": hoursMeasure(hours), "vf:resourceClassifiedAs": skillIRI(skill),
			"vf:resourceConformsTo": map[string]any{"@id": skillIRI(skill), "@type": "vf:ResourceSpecification", "vf:name": skill},
			"vf:hasPointInTime":     at.UTC().Format(time.RFC3339)}
	}
	eventOf := map[string]string{}
	for _, c := range cv.Contributions {
		id := "commons:contribution:" + c.ID
		eventOf[c.ID] = id
		day, err := time.Parse(contrib.DateLayout, c.Date)
		if err != nil {
			day = c.Recorded
		}
		ev := event(id, c.Skill, c.Hours, day)
		ev["vf:note"] = c.What
		var to []any
		for _, id := range refs(c.Beneficiaries, c.BeneficiaryIDs, idOf) {
			to = append(to, iri(id))
		}
		if len(to) > 0 {
			ev["vf:receiver"] = one(to)
		}
		if c.Guild != "" {
			ev["vf:inScopeOf"] = "commons:guild:" + url.PathEscape(c.Guild)
		}
		if c.Link != "" {
			ev["rdfs:seeAlso"] = c.Link
		}
		graph = append(graph, ev)
	}
	for _, l := range cv.TimeBank {
		id := "commons:transfer:" + l.Transfer + ":leg:" + strconv.Itoa(l.Leg)
		ev := event(id, l.Skill, l.Hours, l.Time)
		from := iri(ref(l.Counterparty, l.CounterpartyID, idOf))
		ev["vf:receiver"] = from
		if l.Note != "" {
			ev["vf:note"] = l.Note
		}
		graph = append(graph, ev)
		if l.Review != nil {
			graph = append(graph, map[string]any{"@id": id + ":review", "@type": "vf:Appreciation", "vf:appreciationOf": id,
				"vf:note": l.Review.Note, "commons:satisfied": l.Review.Satisfied, "commons:reviewer": from})
		}
	}
	for _, rv := range cv.Reviews {
		of, ok := eventOf[rv.Contribution]
		if !ok {
			of = "commons:contribution:" + rv.Contribution
		}
		graph = append(graph, map[string]any{"@id": "commons:review:" + rv.ID, "@type": "vf:Appreciation", "vf:appreciationOf": of,
			"vf:note": rv.Note, "commons:quality": rv.Quality, "commons:impact": rv.Impact,
			"commons:reviewer": iri(ref(rv.Reviewer, rv.ReviewerID, idOf)), "commons:reviewedAt": rv.Time.UTC().Format(time.RFC3339)})
	}
	return map[string]any{"@context": ctx, "@graph": graph}
}
