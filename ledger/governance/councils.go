package governance

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// Council is a council as the final decisions up to some time made it.
type Council struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Parent     string `json:"parent,omitempty"`
	Kind       string `json:"kind"`
	Membership string `json:"membership"`
	Seats      int64  `json:"seats,omitempty"`
	// Credits is each member's voice-credit budget per period for the
	// council's quadratic proposals.
	Credits int64 `json:"credits"`
	// Weight is how votes weigh (WeightEqual or WeightReputation) and
	// WeightCap the most one member's vote weighs by reputation.
	Weight    string `json:"weight"`
	WeightCap int64  `json:"weight_cap,omitempty"`
	// rules are the council's credits and weight over time, oldest first.
	rules []councilRule
	// Dissolved is true once a decision of its parent dissolved it.
	Dissolved bool `json:"dissolved,omitempty"`
	// Members lists the members' keys (hex) in the council now, ordered;
	// empty for the root council, which is every member.
	Members []string `json:"members,omitempty"`
}

// Decision is an action a final, passed proposal took, in the order they
// took effect.
type Decision struct {
	Proposal string `json:"proposal"`
	// At is when (Unix ms) it took effect: the proposal's final time.
	At     uint64 `json:"at"`
	Action Action `json:"action"`
	// Done is false for an action the council could not take then (a
	// council it is not the parent of, a dissolved council); Why says why.
	Done bool   `json:"done"`
	Why  string `json:"why,omitempty"`
}

// councilRule is a council's voice credits and vote weight from a time on.
type councilRule struct {
	at        crdt.HLC
	credits   int64
	weight    string
	weightCap int64
}

// ruleAt returns the council's rule in force at time at: the last one set
// before it, or the defaults.
func (c *Council) ruleAt(at crdt.HLC) councilRule {
	r := councilRule{credits: DefaultCredits, weight: WeightEqual}
	for _, x := range c.rules {
		if x.at < at {
			r = x
		}
	}
	return r
}

// setRule changes the council's credits or weight from time at.
func (c *Council) setRule(at crdt.HLC, change func(*councilRule)) {
	r := c.ruleAt(at + 1)
	r.at = at
	change(&r)
	c.rules = append(c.rules, r)
	c.Credits, c.Weight, c.WeightCap = r.credits, r.weight, r.weightCap
}

func newCouncil(c Council) *Council {
	c.Credits, c.Weight = DefaultCredits, WeightEqual
	return &c
}

// admission is a member entering (or leaving) a council at a time.
type admission struct {
	member []byte
	at     crdt.HLC
	in     bool
}

// state is the councils and decisions from the final proposals up to a
// time, built in the order the proposals became final.
type state struct {
	councils  map[string]*Council
	order     []string
	admits    map[string][]admission
	decisions []Decision
	settings  *membership.Settings
	settingsT crdt.HLC
	// removed maps a member removed by a decision to when (Unix ms).
	removed map[string]uint64
	// payouts are the spends done, in the order they took effect.
	payouts []Payout
	// next is the first time after now (Unix ms) at which a decision
	// becomes final, 0 when none is waiting for time alone.
	next uint64
}

// build replays every final proposal's decisions up to now (Unix ms), in
// the order they became final (ties by proposal ID).
func build(r *crdt.Reader, now uint64) (*state, error) {
	st := &state{councils: map[string]*Council{Root: newCouncil(Council{ID: Root, Name: "Society", Kind: KindGeneral, Membership: RuleOpen})},
		order: []string{Root}, admits: map[string][]admission{}, removed: map[string]uint64{}}
	type due struct {
		pv ProposalView
		at uint64
	}
	var finals []due
	ps, err := Proposals(r, "")
	if err != nil {
		return nil, err
	}
	for _, pv := range ps {
		if !decides(pv.Proposal.Method) && !isBudget(pv.Proposal.Method) || len(pv.Proposal.Actions) == 0 {
			continue
		}
		cs, err := closes(r, pv.ID)
		if err != nil {
			return nil, err
		}
		_, at := countedCloses(cs, pv.Proposal.Rule.Grace())
		switch {
		case len(cs) > 0 && now >= at:
			finals = append(finals, due{pv, at})
		case len(cs) > 0 && (st.next == 0 || at < st.next):
			st.next = at
		}
	}
	slices.SortFunc(finals, func(a, b due) int {
		if a.at != b.at {
			if a.at < b.at {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.pv.ID, b.pv.ID)
	})
	for _, f := range finals {
		res, err := st.count(r, f.pv, now, true)
		if err != nil {
			return nil, err
		}
		st.act(f.pv, res, f.at)
	}
	return st, nil
}

// act carries out a final proposal's actions.
func (st *state) act(pv ProposalView, res *Result, at uint64) {
	p := pv.Proposal
	pid, _ := cid.Cast(pv.ID)
	funded := map[string]bool{}
	for _, w := range res.Winners {
		funded[w] = true
	}
	for i, a := range p.Actions {
		d := Decision{Proposal: pid.String(), At: at, Action: a}
		switch {
		case isBudget(p.Method) && !funded[a.Project]:
			d.Why = "project not funded"
		case !isBudget(p.Method) && !res.Passed:
			d.Why = "proposal did not pass"
		default:
			d.Why = st.do(p, pid, i, a, crdt.MakeHLC(at, 0))
		}
		d.Done = d.Why == ""
		st.decisions = append(st.decisions, d)
	}
}

// do applies one action of a passed proposal; it returns why it could not.
func (st *state) do(p Proposal, pid cid.Cid, i int, a Action, at crdt.HLC) string {
	own, ok := st.councils[p.Council]
	if !ok || own.Dissolved {
		return "the proposal's council does not exist or was dissolved"
	}
	child := func() (*Council, string) {
		c, ok := st.councils[a.Council]
		switch {
		case !ok:
			return nil, fmt.Sprintf("no council %s", a.Council)
		case c.Dissolved:
			return nil, "the council was dissolved"
		case c.Parent != p.Council:
			return nil, "only a decision of the council's parent changes it"
		}
		return c, ""
	}
	switch a.Kind {
	case ActSettings:
		s := *a.Settings
		st.settings, st.settingsT = &s, at
	case ActRemoveMember:
		if _, ok := st.removed[string(a.Member)]; ok {
			return "already removed by an earlier decision"
		}
		st.removed[string(a.Member)] = at.Millis()
	case ActSpend:
		if t, ok := st.removed[string(a.Member)]; ok && t <= at.Millis() {
			return "the member was removed by an earlier decision"
		}
		st.payouts = append(st.payouts, Payout{Proposal: pid.String(), Action: i, Member: a.Member, Amount: a.Amount,
			Project: a.Project, At: at.Millis()})
	case ActCouncilCreate:
		id := CouncilID(pid, i)
		st.councils[id] = newCouncil(Council{ID: id, Name: a.Name, Parent: p.Council, Kind: a.CKind, Membership: a.Membership, Seats: a.Seats})
		st.order = append(st.order, id)
		for _, m := range a.Members {
			st.admits[id] = append(st.admits[id], admission{member: m, at: at, in: true})
		}
	case ActCouncilRename:
		c, why := child()
		if c == nil {
			return why
		}
		c.Name = a.Name
	case ActCouncilReparent:
		c, why := child()
		if c == nil {
			return why
		}
		np, ok := st.councils[a.Parent]
		if !ok || np.Dissolved {
			return "the new parent does not exist or was dissolved"
		}
		for x := np; x != nil; x = st.councils[x.Parent] {
			if x.ID == c.ID {
				return "a council cannot move under itself"
			}
			if x.Parent == "" {
				break
			}
		}
		c.Parent = a.Parent
	case ActCouncilDissolve:
		c, why := child()
		if c == nil {
			return why
		}
		c.Dissolved = true
	case ActCouncilAdmit:
		st.admits[p.Council] = append(st.admits[p.Council], admission{member: a.Member, at: at, in: true})
	case ActCouncilCredits:
		own.setRule(at, func(r *councilRule) { r.credits = a.Credits })
	case ActCouncilWeight:
		own.setRule(at, func(r *councilRule) { r.weight, r.weightCap = a.Weight, a.Cap })
	}
	return ""
}

// electorate lists the electorate of a proposal, ordered by key, and
// fills names (unless nil) with their display names: the members the
// proposal names (see writeElectorate), with, for a council other than the root, those a
// decision admitted before the proposal's time; of them, those still
// active and not removed by a decision before then.
func (st *state) electorate(r *crdt.Reader, pv ProposalView, names map[string]string) ([][]byte, error) {
	council, at := pv.Proposal.Council, pv.Time
	ms, err := electorView(r, pv.ID)
	if err != nil {
		return nil, err
	}
	if council != Root {
		for _, a := range st.admits[council] {
			if a.in && a.at < at {
				if i, found := slices.BinarySearchFunc(ms, a.member, bytes.Compare); !found {
					ms = slices.Insert(ms, i, a.member)
				}
			}
		}
	}
	if ms, err = activeNames(r, ms, names); err != nil {
		return nil, err
	}
	if len(st.removed) > 0 {
		// A member a decision removed before the proposal is out of its
		// electorate (not retroactively: the result that removed them
		// stays as it was counted).
		ms = slices.DeleteFunc(ms, func(m []byte) bool { t, gone := st.removed[string(m)]; return gone && t < at.Millis() })
	}
	return ms, nil
}

// currentMembers lists, ordered by key, the members a proposal to council
// written after every record held would name (what governance.Basis
// names, with the members decisions admitted), still active and not
// removed, and fills names with their display names.
func (st *state) currentMembers(r *crdt.Reader, council string, names map[string]string) ([][]byte, error) {
	var ms [][]byte
	if council == Root {
		all, err := roll(r)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			ms = append(ms, e.Key)
		}
	} else {
		var err error
		if ms, err = st.members(r, council, crdt.HLC(^uint64(0))); err != nil {
			return nil, err
		}
	}
	ms, err := activeNames(r, ms, names)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m []byte) bool { _, gone := st.removed[string(m)]; return gone }), nil
}

// members lists a council's members as of time at: admissions by
// decisions, joins and leaves before at (for listing councils; a
// proposal's electorate is what the proposal names, see electorate).
func (st *state) members(r *crdt.Reader, council string, at crdt.HLC) ([][]byte, error) {
	if _, ok := st.councils[council]; !ok {
		return nil, nil
	}
	type ev struct {
		at crdt.HLC
		v  ledger.Version
		in bool
	}
	latest := map[string]ev{}
	note := func(m []byte, e ev) {
		if e.at >= at {
			return
		}
		if o, ok := latest[string(m)]; !ok || o.at < e.at || (o.at == e.at && o.v.Less(e.v)) {
			latest[string(m)] = e
		}
	}
	for _, a := range st.admits[council] {
		note(a.member, ev{at: a.at, in: a.in})
	}
	if err := scan(r, kMember+ledger.Account([]byte(council)), func(mv MembershipView) error {
		note(mv.Member, ev{at: mv.V.Time, v: mv.V, in: mv.Join})
		return nil
	}); err != nil {
		return nil, err
	}
	var out [][]byte
	for k, e := range latest {
		if !e.in {
			continue
		}
		ok, err := isMember(r, []byte(k))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, []byte(k))
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return out, nil
}

// Councils returns every council as the final decisions up to now (Unix
// ms) made them, the root first, then in creation order; with their
// current members.
func Councils(r *crdt.Reader, now uint64) ([]Council, error) {
	st, err := build(r, now)
	if err != nil {
		return nil, err
	}
	out := make([]Council, 0, len(st.order))
	for _, id := range st.order {
		c := *st.councils[id]
		if id != Root {
			ms, err := st.members(r, id, crdt.HLC(^uint64(0)))
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				c.Members = append(c.Members, hexKey(m))
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// CouncilByID returns one council as of now; ok is false when no final
// decision created it.
func CouncilByID(r *crdt.Reader, id string, now uint64) (Council, bool, error) {
	cs, err := Councils(r, now)
	if err != nil {
		return Council{}, false, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, true, nil
		}
	}
	return Council{}, false, nil
}

// Decisions returns every action of the final proposals up to now, in the
// order they took effect, done or not.
func Decisions(r *crdt.Reader, now uint64) ([]Decision, error) {
	st, err := build(r, now)
	if err != nil {
		return nil, err
	}
	return st.decisions, nil
}

// EffectiveSettings returns the society's settings at now: the latest of
// the genesis settings, the founder's settings records written during the
// bootstrap (see BootstrapEnd) and the settings decisions final by now.
func EffectiveSettings(r *crdt.Reader, now uint64) (membership.Settings, error) {
	fx, err := EffectsAt(r, now)
	if err != nil {
		return membership.Settings{}, err
	}
	return fx.Settings, nil
}
