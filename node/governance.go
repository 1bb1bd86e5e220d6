package node

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// Council governance: councils, proposals, votes, delegations and closes.
// The ledger checks every record; this file checks requests on the local
// device first (clear errors, nothing written) and turns member keys into
// member IDs in the answers.

// CouncilRequest names a council: governance.Root or a council ID.
type CouncilRequest struct {
	Society string `json:"society,omitempty"`
	Council string `json:"council"`
}

// CouncilDetail is a council with its proposals.
type CouncilDetail struct {
	Council   governance.Council `json:"council"`
	Proposals []ProposalInfo     `json:"proposals"`
}

// ProposalRequest puts a question to a council.
type ProposalRequest struct {
	Society string `json:"society,omitempty"`
	// Council is governance.Root (when empty) or a council ID.
	Council string `json:"council,omitempty"`
	Title   string `json:"title"`
	Text    string `json:"text,omitempty"`
	// Method is one of governance.Methods.
	Method  string              `json:"method"`
	Options []governance.Option `json:"options,omitempty"`
	Rule    governance.Rule     `json:"rule"`
	// Opens and Closes are Unix ms; Opens 0 is now.
	Opens   uint64              `json:"opens,omitempty"`
	Closes  uint64              `json:"closes"`
	Topic   string              `json:"topic,omitempty"`
	Actions []governance.Action `json:"actions,omitempty"`
	// Settings, when set, adds a settings action: the settings in force
	// with the fields given changed (see node/effects.go).
	Settings *SettingsRequest `json:"settings,omitempty"`
}

// ProposalsRequest lists proposals of a council (every council when
// empty).
type ProposalsRequest struct {
	Society string `json:"society,omitempty"`
	Council string `json:"council,omitempty"`
}

// ProposalIDRequest names a proposal.
type ProposalIDRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
}

// ProposalInfo summarises a proposal and its count now.
type ProposalInfo struct {
	ID      string `json:"id"`
	Council string `json:"council"`
	Title   string `json:"title"`
	Method  string `json:"method"`
	Topic   string `json:"topic,omitempty"`
	Author  string `json:"author"`
	// Opens and Closes are RFC 3339 times (UTC).
	Opens       string   `json:"opens"`
	Closes      string   `json:"closes"`
	Status      string   `json:"status"`
	Provisional bool     `json:"provisional"`
	Passed      bool     `json:"passed"`
	Winners     []string `json:"winners,omitempty"`
	Ballots     int      `json:"ballots"`
	Electorate  int      `json:"electorate"`
	// Grace is the proposal's grace period (a Go duration, such as 24h0m0s).
	// Peers close the proposal from ClosableFrom (its close time plus the
	// grace); the closes written up to the first one's time plus the
	// grace are counted together, and the result is final from FinalAt
	// (RFC 3339; empty until a close is held).
	Grace        string `json:"grace"`
	ClosableFrom string `json:"closable_from"`
	FinalAt      string `json:"final_at,omitempty"`
	// ClosedBy is how many counted closes are held.
	ClosedBy int `json:"closed_by"`
	// MayVote is true when the local member is in the proposal's
	// electorate as the ledger counts it, and Voted when the member's own
	// ballot (not a delegate's) is counted.
	MayVote bool `json:"may_vote"`
	Voted   bool `json:"voted"`
}

// ProposalDetail is a proposal with its full count.
type ProposalDetail struct {
	Info     ProposalInfo        `json:"info"`
	Proposal governance.Proposal `json:"proposal"`
	Result   *governance.Result  `json:"result"`
	// Actions are the proposal's actions and, once it is final, what
	// each did.
	Actions []ActionInfo `json:"actions"`
}

// VoteRequest is the local member's ballot; which fields are used depends
// on the proposal's method (see governance.Vote).
type VoteRequest struct {
	Society string        `json:"society,omitempty"`
	ID      string        `json:"id"`
	Choice  string        `json:"choice,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	Approve []string      `json:"approve,omitempty"`
	Rank    []string      `json:"rank,omitempty"`
	Points  []tally.Point `json:"points,omitempty"`
}

// DelegateRequest gives the local member's vote in a council (for one
// topic, or all when empty) to another member.
type DelegateRequest struct {
	Society string `json:"society,omitempty"`
	Council string `json:"council,omitempty"`
	Topic   string `json:"topic,omitempty"`
	// To is a member ID or unambiguous name (ignored by Undelegate).
	To string `json:"to,omitempty"`
}

// proposalID decodes a proposal ID.
func proposalID(s string) (cid.Cid, error) {
	c, err := cid.Decode(strings.TrimSpace(s))
	if err != nil {
		return cid.Undef, refusal.Prefixed("node", "%q is not a proposal ID", s)
	}
	return c, nil
}

// getProposal reads a proposal, or says it is unknown.
func getProposal(r *crdt.Reader, id cid.Cid) (governance.ProposalView, error) {
	pv, ok, err := governance.ProposalByID(r, id)
	if err == nil && !ok {
		err = refusal.New(crdt.ErrNotFound, "no proposal %s here (unknown, or not yet received)", id)
	}
	return pv, err
}

// proposalReq resolves a request's society and proposal ID.
func (n *Node) proposalReq(society, id string) (soc, pid cid.Cid, err error) {
	if pid, err = proposalID(id); err != nil {
		return cid.Undef, cid.Undef, err
	}
	soc, err = n.society(society)
	return soc, pid, err
}

func (n *Node) nowMs() uint64 { return uint64(n.now().UnixMilli()) }

// councilDeps returns the record a reference to a council must depend on:
// its creating proposal (nothing for the root council), after checking the
// council exists now.
func (n *Node) councilDeps(r *crdt.Reader, council string) ([]cid.Cid, error) {
	if council == governance.Root {
		return nil, nil
	}
	c, ok, err := governance.CouncilByID(r, council, n.nowMs())
	if err != nil {
		return nil, err
	}
	if !ok || c.Dissolved {
		return nil, refusal.New(crdt.ErrNotFound, "no council %s here (unknown, not yet decided, or dissolved)", council)
	}
	p, _, err := governance.ParseCouncilID(council)
	if err != nil {
		return nil, err
	}
	return []cid.Cid{p}, nil
}

// memberIDs turns the hex member keys of a result or council into member IDs.
func memberIDs(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || h == "" {
		return h
	}
	return idOf(b)
}

func resultIDs(res *governance.Result) {
	for i := range res.Ballots {
		b := &res.Ballots[i]
		b.Voter, b.Ballot.Voter = memberIDs(b.Voter), memberIDs(b.Voter)
		b.Via = memberIDs(b.Via)
	}
	carried := map[string]int64{}
	for k, v := range res.Carried {
		carried[memberIDs(k)] = v
	}
	res.Carried = carried
	if res.Consent != nil {
		for i, v := range res.Consent.Objectors {
			res.Consent.Objectors[i] = memberIDs(v)
		}
	}
	if res.Consensus != nil {
		for i, v := range res.Consensus.Blockers {
			res.Consensus.Blockers[i] = memberIDs(v)
		}
	}
}

func proposalInfo(pv governance.ProposalView, res *governance.Result) ProposalInfo {
	p := pv.Proposal
	info := ProposalInfo{ID: res.ID, Council: p.Council, Title: p.Title, Method: p.Method, Topic: p.Topic, Author: idOf(pv.Author),
		Opens: fmtHLC(crdt.MakeHLC(p.Opens, 0)), Closes: fmtHLC(crdt.MakeHLC(p.Closes, 0)), Status: res.Status,
		Provisional: res.Provisional, Passed: res.Passed, Winners: res.Winners, Ballots: len(res.Ballots), Electorate: res.Electorate,
		Grace: (time.Duration(p.Rule.Grace()) * time.Millisecond).String(), ClosableFrom: fmtHLC(crdt.MakeHLC(p.Closes+p.Rule.Grace(), 0)),
		ClosedBy: len(res.Closes)}
	if res.FinalAt > 0 {
		info.FinalAt = fmtHLC(crdt.MakeHLC(res.FinalAt, 0))
	}
	return info
}

// CouncilList lists the councils as the final decisions made them, the
// root council first.
func (n *Node) CouncilList(req SocietyRequest) ([]governance.Council, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	var out []governance.Council
	err = n.store.View(soc, func(r *crdt.Reader) error {
		var err error
		out, err = governance.Councils(r, n.nowMs())
		return err
	})
	for i := range out {
		for j, m := range out[i].Members {
			out[i].Members[j] = memberIDs(m)
		}
	}
	return out, err
}

// CouncilShow describes a council and its proposals.
func (n *Node) CouncilShow(req CouncilRequest) (*CouncilDetail, error) {
	cs, err := n.CouncilList(SocietyRequest{Society: req.Society})
	if err != nil {
		return nil, err
	}
	id := strings.TrimSpace(req.Council)
	if id == "" {
		id = governance.Root
	}
	i := slices.IndexFunc(cs, func(c governance.Council) bool { return c.ID == id })
	if i < 0 {
		return nil, refusal.New(crdt.ErrNotFound, "no council %s here (unknown, or not yet decided)", id)
	}
	ps, err := n.ProposalList(ProposalsRequest{Society: req.Society, Council: id})
	if err != nil {
		return nil, err
	}
	return &CouncilDetail{Council: cs[i], Proposals: ps}, nil
}

// CouncilJoin joins an open council.
func (n *Node) CouncilJoin(req CouncilRequest) error {
	return n.councilMembership(req, governance.TypeCouncilJoin)
}

// CouncilLeave leaves a council.
func (n *Node) CouncilLeave(req CouncilRequest) error {
	return n.councilMembership(req, governance.TypeCouncilLeave)
}

func (n *Node) councilMembership(req CouncilRequest, typ string) error {
	if n.id == nil {
		return ErrLocked
	}
	id := strings.TrimSpace(req.Council)
	if id == "" || id == governance.Root {
		return refusal.Prefixed("node", "every member is in the root council; name another council")
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var deps []cid.Cid
	err = n.store.View(soc, func(r *crdt.Reader) error {
		c, ok, err := governance.CouncilByID(r, id, n.nowMs())
		if err != nil {
			return err
		}
		if !ok || c.Dissolved {
			return refusal.New(crdt.ErrNotFound, "no council %s here (unknown, not yet decided, or dissolved)", id)
		}
		in := slices.Contains(c.Members, hex.EncodeToString(n.pub.Member))
		switch {
		case typ == governance.TypeCouncilJoin && c.Membership != governance.RuleOpen:
			return refusal.New(ledger.ErrNotAllowed, "council %q is not open: members come in by %s", c.Name, c.Membership)
		case typ == governance.TypeCouncilJoin && in:
			return refusal.Prefixed("node", "you are already in council %q", c.Name)
		case typ == governance.TypeCouncilLeave && !in:
			return refusal.Prefixed("node", "you are not in council %q", c.Name)
		}
		deps, err = n.councilDeps(r, id)
		return err
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, typ, governance.CouncilMembership{Council: id}, deps)
	return err
}

// ProposalCreate puts a proposal to a council and returns it.
func (n *Node) ProposalCreate(req ProposalRequest) (*ProposalInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	p := governance.Proposal{Council: strings.TrimSpace(req.Council), Title: strings.TrimSpace(req.Title), Text: req.Text,
		Method: strings.TrimSpace(req.Method), Options: req.Options, Rule: req.Rule, Opens: req.Opens, Closes: req.Closes,
		Topic: strings.TrimSpace(req.Topic), Actions: req.Actions}
	if p.Council == "" {
		p.Council = governance.Root
	}
	now := n.nowMs()
	if p.Opens == 0 {
		p.Opens = now
	}
	if p.Options == nil {
		p.Options = []governance.Option{}
	}
	if p.Actions == nil {
		p.Actions = []governance.Action{}
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	if err := n.store.View(soc, func(r *crdt.Reader) error { return n.proposalEffects(r, req, &p) }); err != nil {
		return nil, err
	}
	if err := governance.ValidateProposal(&p, crdt.MakeHLC(now, 0)); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var deps []cid.Cid
	err = n.store.View(soc, func(r *crdt.Reader) error {
		refs := []string{p.Council}
		for _, a := range p.Actions {
			refs = append(refs, a.Council, a.Parent)
		}
		for _, c := range refs {
			if c == "" {
				continue
			}
			ds, err := n.councilDeps(r, c)
			if err != nil {
				return err
			}
			for _, d := range ds {
				if !slices.ContainsFunc(deps, d.Equals) {
					deps = append(deps, d)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if deps, err = n.nameElectorate(soc, p.Council, deps); err != nil {
		return nil, err
	}
	c, err := n.author(soc, governance.TypeProposal, p, deps)
	if err != nil {
		return nil, err
	}
	d, err := n.proposalDetail(soc, c)
	if err != nil {
		return nil, err
	}
	return &d.Info, nil
}

// nameElectorate adds to a proposal's deps the records that make its
// electorate the council's members as this node holds them
// (governance.Basis). What does not fit among the proposal's deps goes
// into council-roll records written first, each naming up to crdt.MaxDeps
// records, rolls naming rolls when even those do not fit. The caller
// holds n.mu.
func (n *Node) nameElectorate(soc cid.Cid, council string, deps []cid.Cid) ([]cid.Cid, error) {
	var basis, rollDeps []cid.Cid
	err := n.store.View(soc, func(r *crdt.Reader) error {
		var err error
		if basis, err = governance.Basis(r, council); err != nil {
			return err
		}
		rollDeps, err = n.councilDeps(r, council)
		return err
	})
	if err != nil {
		return nil, err
	}
	basis = slices.DeleteFunc(basis, func(c cid.Cid) bool { return slices.ContainsFunc(deps, c.Equals) })
	per := crdt.MaxDeps - len(rollDeps)
	for len(basis) > crdt.MaxDeps-len(deps) {
		var rolls []cid.Cid
		for chunk := range slices.Chunk(basis, per) {
			c, err := n.author(soc, governance.TypeRoll, governance.Roll{Council: council}, append(slices.Clip(rollDeps), chunk...))
			if err != nil {
				return nil, fmt.Errorf("node: name the electorate: %w", err)
			}
			rolls = append(rolls, c)
		}
		basis = rolls
	}
	return append(deps, basis...), nil
}

// ProposalList lists proposals, newest first, with their counts now.
func (n *Node) ProposalList(req ProposalsRequest) ([]ProposalInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := []ProposalInfo{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		ps, err := governance.Proposals(r, strings.TrimSpace(req.Council))
		if err != nil {
			return err
		}
		counter, err := governance.NewCounter(r, n.nowMs())
		if err != nil {
			return err
		}
		for _, pv := range ps {
			c, err := cid.Cast(pv.ID)
			if err != nil {
				return fmt.Errorf("%w: proposal ID", crdt.ErrCorrupt)
			}
			res, err := counter.Count(c)
			if err != nil {
				return err
			}
			info := proposalInfo(pv, res)
			if err := n.mine(counter, pv, res, &info); err != nil {
				return err
			}
			out = append(out, info)
		}
		return nil
	})
	return out, err
}

func (n *Node) proposalDetail(soc, id cid.Cid) (*ProposalDetail, error) {
	var d ProposalDetail
	err := n.store.View(soc, func(r *crdt.Reader) error {
		pv, err := getProposal(r, id)
		if err != nil {
			return err
		}
		counter, err := governance.NewCounter(r, n.nowMs())
		if err != nil {
			return err
		}
		res, err := counter.Count(id) // the recount: every counted ballot
		if err != nil {
			return err
		}
		d = ProposalDetail{Info: proposalInfo(pv, res), Proposal: pv.Proposal, Result: res, Actions: actionInfos(counter, pv)}
		if err := n.mine(counter, pv, res, &d.Info); err != nil {
			return err
		}
		resultIDs(res)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ProposalShow describes a proposal with its count now (provisional until
// final).
func (n *Node) ProposalShow(req ProposalIDRequest) (*ProposalDetail, error) {
	soc, id, err := n.proposalReq(req.Society, req.ID)
	if err != nil {
		return nil, err
	}
	return n.proposalDetail(soc, id)
}

// ProposalRecount lists every counted ballot (after delegation and weight)
// and the result, from the signed records alone.
func (n *Node) ProposalRecount(req ProposalIDRequest) (*governance.Result, error) {
	d, err := n.ProposalShow(req)
	if err != nil {
		return nil, err
	}
	return d.Result, nil
}

// ProposalClose writes a close of a proposal whose close time and grace
// have passed, naming the latest record of every device that voted on it,
// so that its causal past holds every vote this device has. A running peer
// does the same by itself (see closeDue).
func (n *Node) ProposalClose(req ProposalIDRequest) (*ProposalInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	soc, id, err := n.proposalReq(req.Society, req.ID)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	err = n.writeClose(soc, id)
	n.mu.Unlock()
	if err != nil {
		return nil, err
	}
	d, err := n.proposalDetail(soc, id)
	if err != nil {
		return nil, err
	}
	return &d.Info, nil
}

// writeClose writes this device's close of a proposal, refusing one before
// the proposal's close time plus grace and a second counted close of this
// device. The caller holds n.mu.
func (n *Node) writeClose(soc, id cid.Cid) error {
	deps := []cid.Cid{id}
	err := n.store.View(soc, func(r *crdt.Reader) error {
		pv, err := getProposal(r, id)
		if err != nil {
			return err
		}
		p := pv.Proposal
		now := n.nowMs()
		if due := p.Closes + p.Rule.Grace(); now < due {
			return refusal.New(ledger.ErrNotAllowed, "the proposal can be closed from %s (its close time plus the grace period)", fmtHLC(crdt.MakeHLC(due, 0)))
		}
		res, err := governance.Count(r, id, now)
		if err != nil {
			return err
		}
		if mine, err := n.closedByMe(r, res); err != nil || mine {
			if err == nil {
				err = refusal.New(ledger.ErrNotAllowed, "this device already closed the proposal; its close counts")
			}
			return err
		}
		devs, err := governance.VotingDevices(r, id)
		if err != nil {
			return err
		}
		for _, d := range devs {
			if len(deps) == crdt.MaxDeps {
				break
			}
			h, err := r.Head(d)
			if err != nil {
				return err
			}
			if h.Seq > 0 && !slices.ContainsFunc(deps, h.CID.Equals) {
				deps = append(deps, h.CID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, governance.TypeClose, governance.Close{Proposal: crdt.Link{Cid: id}}, deps)
	return err
}

// closedByMe tells whether one of a result's counted closes is this
// device's.
func (n *Node) closedByMe(r *crdt.Reader, res *governance.Result) (bool, error) {
	for _, s := range res.Closes {
		c, err := cid.Decode(s)
		if err != nil {
			return false, fmt.Errorf("%w: close id %q", crdt.ErrCorrupt, s)
		}
		m, ok, err := r.Meta(c)
		if err != nil {
			return false, err
		}
		if ok && bytes.Equal(m.Author, n.pub.Device) {
			return true, nil
		}
	}
	return false, nil
}

// Vote casts (or changes) the local member's ballot on a proposal.
func (n *Node) Vote(req VoteRequest) (*ProposalInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	soc, id, err := n.proposalReq(req.Society, req.ID)
	if err != nil {
		return nil, err
	}
	v := governance.Vote{Proposal: crdt.Link{Cid: id}, Choice: strings.TrimSpace(req.Choice), Reason: strings.TrimSpace(req.Reason),
		Approve: req.Approve, Rank: req.Rank, Points: req.Points}
	n.mu.Lock()
	defer n.mu.Unlock()
	err = n.store.View(soc, func(r *crdt.Reader) error {
		pv, err := getProposal(r, id)
		if err != nil {
			return err
		}
		p := pv.Proposal
		now := n.nowMs()
		switch {
		case now < p.Opens:
			return refusal.New(ledger.ErrNotAllowed, "voting opens at %s", fmtHLC(crdt.MakeHLC(p.Opens, 0)))
		case now > p.Closes:
			return refusal.New(ledger.ErrNotAllowed, "voting closed at %s", fmtHLC(crdt.MakeHLC(p.Closes, 0)))
		}
		if err := governance.ValidateBallot(&p, &v); err != nil {
			return fmt.Errorf("node: %w", err)
		}
		if err := creditsLeft(r, pv, v, n.pub.Member, now); err != nil {
			return err
		}
		in, err := governance.InElectorate(r, id, n.pub.Member, now)
		if err != nil {
			return err
		}
		if !in {
			return refusal.New(ledger.ErrNotAllowed, "you are not in this proposal's electorate (the council's members when it opened)")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := n.author(soc, governance.TypeVote, v, []cid.Cid{id}); err != nil {
		return nil, err
	}
	d, err := n.proposalDetail(soc, id)
	if err != nil {
		return nil, err
	}
	return &d.Info, nil
}

// Delegate gives the local member's vote in a council to another member.
func (n *Node) Delegate(req DelegateRequest) error {
	if strings.TrimSpace(req.To) == "" {
		return refusal.Prefixed("node", "name the member to delegate to (undelegate revokes a delegation)")
	}
	return n.delegate(req, true)
}

// Undelegate revokes the local member's delegation in a council (for one
// topic, or the council-wide one when the topic is empty).
func (n *Node) Undelegate(req DelegateRequest) error { return n.delegate(req, false) }

func (n *Node) delegate(req DelegateRequest, give bool) error {
	if n.id == nil {
		return ErrLocked
	}
	d := governance.Delegation{Council: strings.TrimSpace(req.Council), Topic: strings.TrimSpace(req.Topic)}
	if d.Council == "" {
		d.Council = governance.Root
	}
	if err := checkTextLen("topic", d.Topic, governance.MaxTopicLen); err != nil {
		return err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var deps []cid.Cid
	err = n.store.View(soc, func(r *crdt.Reader) error {
		var err error
		if deps, err = n.councilDeps(r, d.Council); err != nil {
			return err
		}
		if !give {
			return nil
		}
		if d.To, err = findAccount(r, req.To); err != nil {
			return err
		}
		if string(d.To) == string(membership.Community) {
			return refusal.Prefixed("node", "the community account cannot vote; delegate to a member")
		}
		if string(d.To) == string(n.pub.Member) {
			return refusal.New(ledger.ErrNotAllowed, "you cannot delegate to yourself")
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, governance.TypeDelegate, d, deps)
	return err
}
