package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/reputation"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// The contribution ledger: recording work done for others, peer reviews
// of it, and CVs. The ledger folds the records and derives reputation;
// this file validates requests on the local device (clear errors) before
// it writes anything.

// ContributionRequest records work the local member did.
type ContributionRequest struct {
	Society string `json:"society,omitempty"`
	// What says what was done.
	What  string `json:"what"`
	Skill string `json:"skill"`
	// Minutes is how long it took: 1 minute to contrib.MaxContributionMinutes.
	Minutes int64 `json:"minutes"`
	// Date is the day of the work, "YYYY-MM-DD", no later than today;
	// empty for today by the node's clock, in its local time zone.
	Date string `json:"date,omitempty"`
	// Link optionally points to evidence: an http(s) URL.
	Link string `json:"link,omitempty"`
	// For names whom the work was for: member IDs, unambiguous display
	// names, or CommunityAccount. Empty when it was for no one in
	// particular.
	For []string `json:"for,omitempty"`
	// Guild optionally names the group the work was done for.
	Guild string `json:"guild,omitempty"`
}

// ReviewRequest is the local member's review of another member's
// contribution; it replaces the local member's earlier review of it.
type ReviewRequest struct {
	Society string `json:"society,omitempty"`
	// ID is the contribution's ID.
	ID string `json:"id"`
	// Quality and Impact are ratings from contrib.MinRating to
	// contrib.MaxRating.
	Quality int    `json:"quality"`
	Impact  int    `json:"impact"`
	Note    string `json:"note,omitempty"`
}

// ContributionsRequest lists contributions, newest first by the time they
// were recorded.
type ContributionsRequest struct {
	Society string `json:"society,omitempty"`
	// Member keeps one member's contributions (ID or unambiguous name);
	// empty for everyone's.
	Member string `json:"member,omitempty"`
	// Skill keeps one skill (case-insensitive); empty for any.
	Skill string `json:"skill,omitempty"`
	// Limit caps the list; 0 for no cap.
	Limit int `json:"limit,omitempty"`
}

// ContributionIDRequest names a contribution.
type ContributionIDRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
}

// CVRequest asks for a member's CV.
type CVRequest struct {
	Society string `json:"society,omitempty"`
	// Member is a member ID or unambiguous name; empty for the local
	// member.
	Member string `json:"member,omitempty"`
}

// AccountRef names an account: a member, or the community account.
type AccountRef struct {
	// ID is the member's ID, or CommunityAccount.
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ContributionInfo describes a contribution with the reviews in effect
// (each reviewer's latest).
type ContributionInfo struct {
	ID string `json:"id"`
	// Member is the contributing member's ID.
	Member     string  `json:"member"`
	MemberName string  `json:"member_name"`
	What       string  `json:"what"`
	Skill      string  `json:"skill"`
	Minutes    uint64  `json:"minutes"`
	Hours      float64 `json:"hours"`
	// Date is the day of the work, "YYYY-MM-DD".
	Date string       `json:"date"`
	Link string       `json:"link,omitempty"`
	For  []AccountRef `json:"for"`
	// Guild is the group the work was done for, if any.
	Guild string `json:"guild,omitempty"`
	// Recorded is when the contribution was recorded (RFC 3339, UTC).
	Recorded string `json:"recorded"`
	// AvgQuality and AvgImpact are the means of Reviews' ratings, 0 when
	// unreviewed.
	AvgQuality float64      `json:"avg_quality"`
	AvgImpact  float64      `json:"avg_impact"`
	Reviews    []ReviewInfo `json:"reviews"`
	// Replaced is set only in the answer of ReviewContribution: the local
	// member's earlier review that the new one replaced.
	Replaced *ReviewInfo `json:"replaced,omitempty"`
}

// ReviewInfo is one review of a contribution.
type ReviewInfo struct {
	ID string `json:"id"`
	// Reviewer is the reviewing member's ID.
	Reviewer     string `json:"reviewer"`
	ReviewerName string `json:"reviewer_name"`
	Quality      uint64 `json:"quality"`
	Impact       uint64 `json:"impact"`
	Note         string `json:"note,omitempty"`
	// Time is when the review was written (RFC 3339, UTC).
	Time string `json:"time"`
}

// CVResult is a member's CV.
type CVResult struct {
	// CV is as reputation.BuildCV makes it, with the string IDs filled
	// (reputation.CV.SetIDs) and the key bytes left out: exactly what JSON
	// carries, so that the answer is the same in process and over the
	// control socket, and reputation.WriteCVCSV and reputation.CVJSONLD work on it
	// with a nil idOf.
	CV reputation.CV `json:"cv"`
	// Names maps the account IDs the CV names (the member, beneficiaries,
	// reviewers, time-bank counterparties) to display names.
	Names map[string]string `json:"names"`
}

// contributionID decodes a contribution ID.
func contributionID(s string) (cid.Cid, error) {
	c, err := cid.Decode(strings.TrimSpace(s))
	if err != nil {
		return cid.Undef, refusal.Prefixed("node", "%q is not a contribution ID", s)
	}
	return c, nil
}

// getContribution reads a contribution, or says it is unknown.
func getContribution(r *crdt.Reader, id cid.Cid) (contrib.ContributionView, error) {
	cv, ok, err := contrib.ContributionByID(r, id)
	if err != nil {
		return cv, err
	}
	if !ok {
		return cv, refusal.New(crdt.ErrNotFound, "no contribution %s here (unknown, or not yet received)", id)
	}
	return cv, nil
}

// lookupMember resolves a member (ID or unambiguous name; a member who is
// no longer active by ID), not the community account.
func lookupMember(r *crdt.Reader, s string) ([]byte, error) {
	key, err := lookupAccount(r, s)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(key, membership.Community) {
		return nil, refusal.Prefixed("node", "the community account is not a member: it has no contributions or CV")
	}
	return key, nil
}

// checkLink refuses a link the ledger would refuse: it is empty or an
// absolute http(s) URL with a host and no spaces.
func checkLink(s string) error {
	if s == "" {
		return nil
	}
	if err := checkTextLen("link", s, contrib.MaxLinkLen); err != nil {
		return err
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return refusal.Prefixed("node", "the link %q contains spaces", s)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return refusal.Prefixed("node", "the link %q is not an http(s) URL", s)
	}
	return nil
}

// contributionDate checks the day of a contribution, today (by the node's
// clock, local time) when empty.
func (n *Node) contributionDate(s string) (string, error) {
	today := n.now().Format(contrib.DateLayout)
	s = strings.TrimSpace(s)
	if s == "" {
		return today, nil
	}
	d, err := time.Parse(contrib.DateLayout, s)
	if err != nil || d.Format(contrib.DateLayout) != s {
		return "", refusal.Prefixed("node", "the date %q is not a day written YYYY-MM-DD", s)
	}
	if d.Year() < 1900 {
		return "", refusal.Prefixed("node", "the date %s is before 1900", s)
	}
	if s > today { // both are YYYY-MM-DD with four-digit years
		return "", refusal.Prefixed("node", "the date %s is after today (%s)", s, today)
	}
	return s, nil
}

// checkRating refuses a rating out of range.
func checkRating(what string, v int) error {
	if v < contrib.MinRating || v > contrib.MaxRating {
		return refusal.Prefixed("node", "%s is rated %d to %d, not %d", what, contrib.MinRating, contrib.MaxRating, v)
	}
	return nil
}

func reviewInfo(ns *names, rv *contrib.ReviewView) (ReviewInfo, error) {
	c, err := cid.Cast(rv.ID)
	if err != nil {
		return ReviewInfo{}, fmt.Errorf("%w: review ID: %w", crdt.ErrCorrupt, err)
	}
	name, err := ns.of(rv.Reviewer)
	if err != nil {
		return ReviewInfo{}, err
	}
	return ReviewInfo{ID: c.String(), Reviewer: idOf(rv.Reviewer), ReviewerName: name, Quality: rv.Quality,
		Impact: rv.Impact, Note: rv.Note, Time: fmtHLC(rv.V.Time)}, nil
}

func contributionInfo(r *crdt.Reader, ns *names, cv *contrib.ContributionView) (ContributionInfo, error) {
	c, err := cid.Cast(cv.ID)
	if err != nil {
		return ContributionInfo{}, fmt.Errorf("%w: contribution ID: %w", crdt.ErrCorrupt, err)
	}
	mn, err := ns.of(cv.Member)
	if err != nil {
		return ContributionInfo{}, err
	}
	ci := ContributionInfo{ID: c.String(), Member: idOf(cv.Member), MemberName: mn, What: cv.What, Skill: cv.Skill,
		Minutes: cv.Minutes, Hours: cv.Hours(), Date: cv.Date, Link: cv.Link, For: make([]AccountRef, 0, len(cv.Beneficiaries)),
		Guild: cv.Guild, Recorded: fmtHLC(cv.Created), AvgQuality: cv.AvgQuality(), AvgImpact: cv.AvgImpact(),
		Reviews: []ReviewInfo{}}
	for _, b := range cv.Beneficiaries {
		name, err := ns.of(b)
		if err != nil {
			return ci, err
		}
		ci.For = append(ci.For, AccountRef{ID: acctID(b), Name: name})
	}
	rvs, err := contrib.ReviewsOf(r, c)
	if err != nil {
		return ci, err
	}
	for i := range rvs {
		ri, err := reviewInfo(ns, &rvs[i])
		if err != nil {
			return ci, err
		}
		ci.Reviews = append(ci.Reviews, ri)
	}
	return ci, nil
}

// contributionInfo reads a contribution for the answer of an API call.
func (n *Node) contributionInfo(soc, id cid.Cid) (*ContributionInfo, error) {
	var out ContributionInfo
	err := n.store.View(soc, func(r *crdt.Reader) error {
		cv, err := getContribution(r, id)
		if err != nil {
			return err
		}
		out, err = contributionInfo(r, newNames(r), &cv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AddContribution records work the local member did and returns it.
func (n *Node) AddContribution(req ContributionRequest) (*ContributionInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	what, skill := strings.TrimSpace(req.What), strings.TrimSpace(req.Skill)
	link, guild := strings.TrimSpace(req.Link), strings.TrimSpace(req.Guild)
	switch {
	case what == "":
		return nil, refusal.Prefixed("node", "a contribution says what was done")
	case skill == "":
		return nil, refusal.Prefixed("node", "a contribution needs a skill")
	case req.Minutes < 1 || req.Minutes > contrib.MaxContributionMinutes:
		return nil, refusal.Prefixed("node", "a contribution lasts 1 minute to %s, not %d minutes",
			timebank.FormatMinutes(contrib.MaxContributionMinutes), req.Minutes)
	case len(req.For) > contrib.MaxBeneficiaries:
		return nil, refusal.Prefixed("node", "a contribution names at most %d beneficiaries", contrib.MaxBeneficiaries)
	}
	for _, f := range []struct {
		what, v string
		max     int
	}{{"description of what was done", what, contrib.MaxWhatLen}, {"skill", skill, ledger.MaxSkillLen}, {"guild", guild, contrib.MaxGuildLen}} {
		if err := checkTextLen(f.what, f.v, f.max); err != nil {
			return nil, err
		}
	}
	if err := checkLink(link); err != nil {
		return nil, err
	}
	date, err := n.contributionDate(req.Date)
	if err != nil {
		return nil, err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	me := []byte(n.pub.Member)
	n.mu.Lock()
	defer n.mu.Unlock()
	body := contrib.Contribution{What: what, Skill: skill, Minutes: uint64(req.Minutes), Date: date, Link: link,
		Beneficiaries: [][]byte{}, Guild: guild}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		for _, s := range req.For {
			key, err := lookupAccount(r, s)
			if err != nil {
				return err
			}
			if bytes.Equal(key, me) {
				return refusal.New(ledger.ErrNotAllowed, "you cannot name yourself as a beneficiary of your own contribution")
			}
			if slices.ContainsFunc(body.Beneficiaries, func(b []byte) bool { return bytes.Equal(b, key) }) {
				return refusal.Prefixed("node", "%q is named twice", s)
			}
			body.Beneficiaries = append(body.Beneficiaries, key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(body.Beneficiaries, bytes.Compare)
	c, err := n.author(soc, contrib.TypeContribution, body, nil)
	if err != nil {
		return nil, err
	}
	return n.contributionInfo(soc, c)
}

// ReviewContribution writes the local member's review of another member's
// contribution and returns the contribution. A member's later review
// replaces their earlier one, which the answer's Replaced shows.
func (n *Node) ReviewContribution(req ReviewRequest) (*ContributionInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	id, err := contributionID(req.ID)
	if err != nil {
		return nil, err
	}
	if err := checkRating("quality", req.Quality); err != nil {
		return nil, err
	}
	if err := checkRating("impact", req.Impact); err != nil {
		return nil, err
	}
	if err := checkTextLen("note", req.Note, ledger.MaxNoteLen); err != nil {
		return nil, err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	me := []byte(n.pub.Member)
	n.mu.Lock()
	defer n.mu.Unlock()
	deps := []cid.Cid{id}
	var replaced *ReviewInfo
	err = n.store.View(soc, func(r *crdt.Reader) error {
		cv, err := getContribution(r, id)
		if err != nil {
			return err
		}
		if bytes.Equal(cv.Member, me) {
			return refusal.New(ledger.ErrNotAllowed, "you cannot review your own contribution")
		}
		rvs, err := contrib.ReviewsOf(r, id)
		if err != nil {
			return err
		}
		for i := range rvs {
			if !bytes.Equal(rvs[i].Reviewer, me) {
				continue
			}
			ri, err := reviewInfo(newNames(r), &rvs[i])
			if err != nil {
				return err
			}
			replaced = &ri
			// Depending on the earlier review puts the new one after it,
			// even when another device of the member wrote the earlier one
			// with a clock ahead of this one.
			old, err := cid.Cast(rvs[i].ID)
			if err != nil {
				return fmt.Errorf("%w: review ID: %w", crdt.ErrCorrupt, err)
			}
			deps = append(deps, old)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	body := contrib.Review{Contribution: crdt.Link{Cid: id}, Quality: uint64(req.Quality), Impact: uint64(req.Impact), Note: req.Note}
	if _, err := n.author(soc, contrib.TypeReview, body, deps); err != nil {
		return nil, err
	}
	out, err := n.contributionInfo(soc, id)
	if err != nil {
		return nil, err
	}
	out.Replaced = replaced
	return out, nil
}

// Contribution describes one contribution with its reviews.
func (n *Node) Contribution(req ContributionIDRequest) (*ContributionInfo, error) {
	id, err := contributionID(req.ID)
	if err != nil {
		return nil, err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	return n.contributionInfo(soc, id)
}

// Contributions lists contributions, newest first by the time they were
// recorded, each with its reviews.
func (n *Node) Contributions(req ContributionsRequest) ([]ContributionInfo, error) {
	if req.Limit < 0 {
		return nil, refusal.Prefixed("node", "a negative limit (%d)", req.Limit)
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := []ContributionInfo{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		q := contrib.ContributionQuery{Skill: req.Skill, Limit: req.Limit}
		if strings.TrimSpace(req.Member) != "" {
			var err error
			if q.Member, err = lookupMember(r, req.Member); err != nil {
				return err
			}
		}
		cvs, err := contrib.Contributions(r, q)
		if err != nil {
			return err
		}
		ns := newNames(r)
		for i := range cvs {
			ci, err := contributionInfo(r, ns, &cvs[i])
			if err != nil {
				return err
			}
			out = append(out, ci)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CV returns a member's CV (the local member's by default) as of the
// node's clock.
func (n *Node) CV(req CVRequest) (*CVResult, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	var cv reputation.CV
	out := CVResult{Names: map[string]string{}}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		key := []byte(n.pub.Member)
		if strings.TrimSpace(req.Member) != "" {
			var err error
			if key, err = lookupMember(r, req.Member); err != nil {
				return err
			}
		}
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		if cv, err = reputation.BuildCVWithHalfLife(r, key, n.now(), fx.Settings.HalfLifeDays); err != nil {
			return err
		}
		cv.SetIDs(idOf)
		ns := newNames(r)
		named := func(keys ...[]byte) error {
			for _, k := range keys {
				name, err := ns.of(k)
				if err != nil {
					return err
				}
				out.Names[acctID(k)] = name
			}
			return nil
		}
		if err := named(cv.Member); err != nil {
			return err
		}
		for _, c := range cv.Contributions {
			if err := named(c.Beneficiaries...); err != nil {
				return err
			}
		}
		for _, l := range cv.TimeBank {
			if err := named(l.Counterparty); err != nil {
				return err
			}
		}
		for _, rv := range cv.Reviews {
			if err := named(rv.Reviewer); err != nil {
				return err
			}
		}
		for _, tr := range cv.TransferReviews {
			if err := named(tr.From); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The CV as JSON carries it: string IDs, no key bytes, times in UTC.
	b, err := json.Marshal(cv)
	if err != nil {
		return nil, fmt.Errorf("node: encode CV: %w", err)
	}
	if err := json.Unmarshal(b, &out.CV); err != nil {
		return nil, fmt.Errorf("node: decode CV: %w", err)
	}
	return &out, nil
}
