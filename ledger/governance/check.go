package governance

import (
	"crypto/ed25519"
	"slices"
	"strconv"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/ipfs/go-cid"
)

var (
	errBody = ledger.ErrBadBody
	errNot  = ledger.ErrNotAllowed
)

// bad and notAllowed refuse a record, the reason kept for front ends to
// translate (see internal/refusal).
func bad(format string, a ...any) error { return refusal.New(errBody, format, a...) }

func notAllowed(format string, a ...any) error { return refusal.New(errNot, format, a...) }

// CouncilID is the ID of the council created by action index i of the
// proposal p.
func CouncilID(p cid.Cid, i int) string { return p.String() + "/" + strconv.Itoa(i) }

// ParseCouncilID splits a council ID other than Root into its creating
// proposal and action index.
func ParseCouncilID(id string) (cid.Cid, int, error) {
	s, n, ok := strings.Cut(id, "/")
	if !ok {
		return cid.Undef, 0, bad("council %q is not %q or PROPOSAL/INDEX", id, Root)
	}
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, 0, bad("council %q: %v", id, err)
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= MaxActions || strconv.Itoa(i) != n {
		return cid.Undef, 0, bad("council %q: bad action index", id)
	}
	return c, i, nil
}

// loadProposal reads a stored proposal's body.
func loadProposal(r *crdt.Reader, c cid.Cid) (*Proposal, error) {
	rec, err := r.Record(c)
	if err != nil {
		return nil, err
	}
	if rec.Type != TypeProposal {
		return nil, bad("%s is not a proposal", c)
	}
	p := new(Proposal)
	if err := ledger.DecodeBody(rec, p); err != nil {
		return nil, err
	}
	return p, nil
}

// councilAction returns the council-create action a council ID names,
// which the record must depend on (so every peer judges it alike).
func councilAction(r *crdt.Reader, e *crdt.Entry, id string) (Action, error) {
	pc, i, err := ParseCouncilID(id)
	if err != nil {
		return Action{}, err
	}
	dm, err := ledger.DepMeta(e, pc)
	if err != nil {
		return Action{}, bad("council %s: its creating proposal is not among the record's deps", id)
	}
	if dm.Type != TypeProposal {
		return Action{}, bad("council %s: %s is not a proposal", id, pc)
	}
	p, err := loadProposal(r, pc)
	if err != nil {
		return Action{}, err
	}
	if i >= len(p.Actions) || p.Actions[i].Kind != ActCouncilCreate {
		return Action{}, bad("council %s: that proposal action does not create a council", id)
	}
	return p.Actions[i], nil
}

// checkCouncilRef accepts Root or a council whose creating proposal is a
// dep of the record.
func checkCouncilRef(r *crdt.Reader, e *crdt.Entry, id string) error {
	if id == Root {
		return nil
	}
	_, err := councilAction(r, e, id)
	return err
}

func decodeAs[T any](e *crdt.Entry) (*T, error) {
	v := new(T)
	if err := ledger.DecodeBody(e.Rec, v); err != nil {
		return nil, err
	}
	e.Body = v
	return v, nil
}

func checkProposal(r *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	p, err := decodeAs[Proposal](e)
	if err != nil {
		return err
	}
	if err := ValidateProposal(p, e.Rec.Time); err != nil {
		return err
	}
	if err := checkCouncilRef(r, e, p.Council); err != nil {
		return err
	}
	for i, a := range p.Actions {
		for _, c := range []string{a.Council, a.Parent} {
			if c != "" && c != Root {
				if err := checkCouncilRef(r, e, c); err != nil {
					return refusal.New(nil, "action %d: %v", i+1, err)
				}
			}
		}
	}
	return nil
}

// ValidateProposal checks a proposal's own fields (not its references to
// other records), as written at time at; front ends run it before writing.
func ValidateProposal(p *Proposal, at crdt.HLC) error {
	if strings.TrimSpace(p.Title) == "" {
		return bad("a proposal needs a title")
	}
	if err := ledger.CheckText("title", p.Title, MaxTitleLen); err != nil {
		return err
	}
	if err := ledger.CheckText("text", p.Text, MaxTextLen); err != nil {
		return err
	}
	if err := ledger.CheckText("topic", p.Topic, MaxTopicLen); err != nil {
		return err
	}
	if p.Topic != strings.TrimSpace(p.Topic) {
		return bad("topic %q has spaces around it", p.Topic)
	}
	if !slices.Contains(Methods, p.Method) {
		return bad("unknown voting method %q (one of %s)", p.Method, strings.Join(Methods, ", "))
	}
	if err := checkOptions(p); err != nil {
		return err
	}
	if err := checkRule(p); err != nil {
		return err
	}
	if p.Closes <= p.Opens {
		return bad("the proposal closes before it opens")
	}
	if p.Closes-p.Opens > MaxWindowMills {
		return bad("voting lasts more than a year")
	}
	if p.Closes <= at.Millis() {
		return bad("the proposal's close time has already passed")
	}
	if len(p.Actions) > MaxActions {
		return bad("more than %d actions", MaxActions)
	}
	for i := range p.Actions {
		if err := checkAction(p, &p.Actions[i]); err != nil {
			return refusal.New(nil, "action %d: %v", i+1, err)
		}
	}
	return nil
}

// fixedChoices are the methods whose ballots choose among fixed words, not
// the proposal's options.
func fixedChoices(method string) bool {
	return method == MethodYesNo || method == MethodConsent || method == MethodConsensus
}

// decides reports whether a method's result is pass or fail, so that its
// proposal may carry actions.
func decides(method string) bool { return fixedChoices(method) }

func isBudget(method string) bool { return method == MethodBudgetMES || method == MethodBudgetGreedy }

func checkOptions(p *Proposal) error {
	if fixedChoices(p.Method) {
		if len(p.Options) != 0 {
			return bad("a %s proposal has no options: its ballots choose among fixed answers", p.Method)
		}
		return nil
	}
	if len(p.Options) < 2 || len(p.Options) > MaxOptions {
		return bad("a %s proposal needs 2 to %d options", p.Method, MaxOptions)
	}
	seen := map[string]bool{}
	for _, o := range p.Options {
		if strings.TrimSpace(o.Name) == "" || o.Name != strings.TrimSpace(o.Name) {
			return bad("option %q is empty or has spaces around it", o.Name)
		}
		if strings.ContainsAny(o.Name, ",=") {
			return bad("option %q contains a comma or '='", o.Name)
		}
		if err := ledger.CheckText("option", o.Name, MaxOptionLen); err != nil {
			return err
		}
		if seen[o.Name] {
			return bad("option %q is listed twice", o.Name)
		}
		seen[o.Name] = true
		if isBudget(p.Method) {
			if o.Cost <= 0 || o.Cost > MaxCost {
				return bad("project %q needs a cost from 1 to %d", o.Name, int64(MaxCost))
			}
		} else if o.Cost != 0 {
			return bad("option %q has a cost, but only budget proposals have costs", o.Name)
		}
	}
	return nil
}

func checkRule(p *Proposal) error {
	ru := p.Rule
	if p.Method == MethodYesNo {
		if !ru.Quorum.Valid() || !ru.Threshold.Valid() {
			return bad("quorum and threshold are fractions from 0 to 1 with a positive denominator")
		}
	} else if ru.Quorum != (tally.Frac{}) || ru.Threshold != (tally.Frac{}) || ru.Inclusive {
		return bad("only yes/no proposals have a quorum and threshold")
	}
	seated := p.Method == MethodApproval || p.Method == MethodScore || p.Method == MethodDots ||
		p.Method == MethodQuadratic || p.Method == MethodSTV
	switch {
	case ru.Seats < 0 || ru.Seats > MaxSeats:
		return bad("seats go from 1 to %d", MaxSeats)
	case ru.Seats > 0 && !seated:
		return bad("a %s proposal has no seats", p.Method)
	case ru.Seats >= int64(len(p.Options)) && ru.Seats > 0:
		return bad("%d seats for %d options", ru.Seats, len(p.Options))
	}
	for _, f := range []struct {
		name     string
		v, max   int64
		required bool
	}{
		{"score max", ru.ScoreMax, MaxScore, p.Method == MethodScore},
		{"dots per voter", ru.Dots, MaxDots, p.Method == MethodDots},
		{"voice credits", ru.Credits, MaxCredits, p.Method == MethodQuadratic},
		{"budget", ru.Budget, MaxCost, isBudget(p.Method)},
	} {
		if f.required && (f.v < 1 || f.v > f.max) {
			return bad("%s goes from 1 to %d", f.name, f.max)
		}
		if !f.required && f.v != 0 {
			return bad("a %s proposal has no %s", p.Method, f.name)
		}
	}
	if ru.GraceMillis > 30*24*3600*1000 {
		return bad("the grace period is at most 30 days")
	}
	return nil
}

func checkAction(p *Proposal, a *Action) error {
	if !decides(p.Method) && !(a.Kind == ActSpend && a.Project != "") {
		return bad("only yes/no, consent and consensus proposals carry actions (and budgets their projects' spends)")
	}
	key := func() error {
		if len(a.Member) != ed25519.PublicKeySize {
			return bad("member key")
		}
		return nil
	}
	councilFields := func() error {
		if strings.TrimSpace(a.Name) == "" {
			return bad("a council needs a name")
		}
		return ledger.CheckText("council name", a.Name, ledger.MaxNameLen)
	}
	target := func() error {
		if a.Council == "" || a.Council == Root {
			return notAllowed("the root council is the society: it cannot be renamed, moved or dissolved")
		}
		return nil
	}
	switch a.Kind {
	case ActSettings:
		if a.Settings == nil {
			return bad("a settings action needs the new settings")
		}
		return a.Settings.Check()
	case ActRemoveMember:
		if p.Council != Root {
			return notAllowed("only the root council removes members")
		}
		return key()
	case ActSpend:
		if p.Council != Root {
			return notAllowed("only the root council spends from the community account")
		}
		if a.Amount <= 0 || a.Amount > MaxCost {
			return bad("a spend pays 1 to %d minutes", int64(MaxCost))
		}
		if a.Project != "" && (!isBudget(p.Method) || !slices.ContainsFunc(p.Options, func(o Option) bool { return o.Name == a.Project })) {
			return bad("spend project %q is not an option of this budget", a.Project)
		}
		return key()
	case ActCouncilCreate:
		if err := councilFields(); err != nil {
			return err
		}
		if !slices.Contains([]string{KindWorkers, KindConsumers, KindGeneral}, a.CKind) {
			return bad("council kind %q (workers, consumers or general)", a.CKind)
		}
		if !slices.Contains([]string{RuleOpen, RuleInvitation, RuleElection}, a.Membership) {
			return bad("membership rule %q (open, invitation or election)", a.Membership)
		}
		if (a.Membership == RuleElection) != (a.Seats > 0) || a.Seats > MaxSeats {
			return bad("an elected council has 1 to %d seats; other councils none", MaxSeats)
		}
		if len(a.Members) > MaxOptions {
			return bad("more than %d first members", MaxOptions)
		}
		for i, k := range a.Members {
			if len(k) != ed25519.PublicKeySize {
				return bad("first member key")
			}
			if i > 0 && string(a.Members[i-1]) >= string(k) {
				return bad("first members not sorted or repeated")
			}
		}
		return nil
	case ActCouncilRename:
		if err := target(); err != nil {
			return err
		}
		return councilFields()
	case ActCouncilReparent:
		if err := target(); err != nil {
			return err
		}
		if a.Parent == "" || a.Parent == a.Council {
			return bad("a council moves under another council")
		}
		return nil
	case ActCouncilDissolve:
		return target()
	case ActCouncilAdmit:
		if p.Council == Root {
			return notAllowed("every member is in the root council already")
		}
		return key()
	case ActCouncilCredits:
		if a.Credits < 1 || a.Credits > MaxCredits {
			return bad("a voice-credit budget goes from 1 to %d", MaxCredits)
		}
		return nil
	case ActCouncilWeight:
		switch {
		case a.Weight == WeightEqual && a.Cap == 0:
			return nil
		case a.Weight == WeightReputation && a.Cap >= 1 && a.Cap <= MaxWeightCap:
			return nil
		}
		return bad("a vote weight is %q, or %q with a cap from 1 to %d", WeightEqual, WeightReputation, MaxWeightCap)
	}
	return bad("unknown action %q", a.Kind)
}

func checkVote(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	v, err := decodeAs[Vote](e)
	if err != nil {
		return err
	}
	p, err := depProposal(r, e, v.Proposal.Cid)
	if err != nil {
		return err
	}
	at := e.Rec.Time.Millis()
	if at < p.Opens {
		return notAllowed("voting on this proposal has not opened")
	}
	if at > p.Closes {
		return notAllowed("voting on this proposal closed")
	}
	if err := ValidateBallot(p, v); err != nil {
		return err
	}
	if p.Council == Root {
		ok, err := namedElector(r, v.Proposal.Cid, m.Member)
		if err != nil {
			return err
		}
		if !ok {
			return notAllowed("the voter is not in the proposal's electorate (not a member the proposal named when it was written)")
		}
	}
	return nil
}

func checkRoll(r *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	b, err := decodeAs[Roll](e)
	if err != nil {
		return err
	}
	if err := checkCouncilRef(r, e, b.Council); err != nil {
		return err
	}
	if len(e.Rec.Deps) == 0 {
		return bad("a roll names at least one record")
	}
	return nil
}

// depProposal loads the proposal c, which must be among the record's deps.
func depProposal(r *crdt.Reader, e *crdt.Entry, c cid.Cid) (*Proposal, error) {
	if !c.Defined() {
		return nil, bad("no proposal named")
	}
	dm, err := ledger.DepMeta(e, c)
	if err != nil {
		return nil, err
	}
	if dm.Type != TypeProposal {
		return nil, bad("%s is not a proposal", c)
	}
	return loadProposal(r, c)
}

// ValidateBallot checks a ballot's shape against its proposal's method:
// known choices and options, no repeats, scores in range, dots and credits
// within the budget.
func ValidateBallot(p *Proposal, v *Vote) error {
	if err := ledger.CheckText("reason", v.Reason, MaxReasonLen); err != nil {
		return err
	}
	uses := map[string]bool{}
	if v.Choice != "" {
		uses["choice"] = true
	}
	if v.Approve != nil {
		uses["approve"] = true
	}
	if v.Rank != nil {
		uses["rank"] = true
	}
	if v.Points != nil {
		uses["points"] = true
	}
	want := "choice"
	switch p.Method {
	case MethodApproval, MethodBudgetMES, MethodBudgetGreedy:
		want = "approve"
	case MethodIRV, MethodSTV, MethodSchulze:
		want = "rank"
	case MethodScore, MethodDots, MethodQuadratic:
		want = "points"
	}
	for k := range uses {
		if k != want {
			return bad("a %s ballot gives a %s, not a %s", p.Method, want, k)
		}
	}
	opts := map[string]bool{}
	for _, o := range p.Options {
		opts[o.Name] = true
	}
	names := func(what string, xs []string) error {
		seen := map[string]bool{}
		for _, x := range xs {
			if !opts[x] {
				return bad("%s: unknown option %q", what, x)
			}
			if seen[x] {
				return bad("%s: option %q appears twice", what, x)
			}
			seen[x] = true
		}
		return nil
	}
	switch want {
	case "choice":
		var ok []string
		switch p.Method {
		case MethodYesNo:
			ok = []string{tally.Yes, tally.No, tally.Abstain}
		case MethodConsent:
			ok = []string{tally.Consent, tally.Object}
		case MethodConsensus:
			ok = []string{tally.Agree, tally.Abstain, tally.Disagree, tally.Block}
		}
		if !slices.Contains(ok, v.Choice) {
			return bad("choice %q: a %s ballot is one of %s", v.Choice, p.Method, strings.Join(ok, ", "))
		}
		if (v.Choice == tally.Object || v.Choice == tally.Block) && strings.TrimSpace(v.Reason) == "" {
			return bad("an objection or a block needs a reason")
		}
	case "approve":
		if err := names("approval", v.Approve); err != nil {
			return err
		}
	case "rank":
		if len(v.Rank) == 0 {
			return bad("a ranking names at least one option")
		}
		if err := names("ranking", v.Rank); err != nil {
			return err
		}
	case "points":
		return checkPoints(p, v.Points, names)
	}
	return nil
}

func checkPoints(p *Proposal, pts []tally.Point, names func(string, []string) error) error {
	xs := make([]string, len(pts))
	var sum int64
	for i, pt := range pts {
		xs[i] = pt.Option
		switch p.Method {
		case MethodScore:
			if pt.N < 0 || pt.N > p.Rule.ScoreMax {
				return bad("score %d for %q is outside 0 to %d", pt.N, pt.Option, p.Rule.ScoreMax)
			}
		case MethodDots:
			if pt.N < 0 || pt.N > p.Rule.Dots {
				return bad("%d dots on %q: 0 to %d", pt.N, pt.Option, p.Rule.Dots)
			}
			sum += pt.N
		case MethodQuadratic:
			if pt.N < -MaxCredits || pt.N > MaxCredits {
				return bad("%d votes on %q is over any credit budget", pt.N, pt.Option)
			}
		}
	}
	if err := names("points", xs); err != nil {
		return err
	}
	if p.Method == MethodDots && sum > p.Rule.Dots {
		return bad("%d dots given, %d per voter", sum, p.Rule.Dots)
	}
	if p.Method == MethodQuadratic {
		if c := tally.QuadraticCost(pts); c > p.Rule.Credits {
			return bad("the votes cost %d credits (n votes cost n²), over the budget of %d", c, p.Rule.Credits)
		}
	}
	return nil
}

func checkDelegate(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	d, err := decodeAs[Delegation](e)
	if err != nil {
		return err
	}
	if err := checkCouncilRef(r, e, d.Council); err != nil {
		return err
	}
	if err := ledger.CheckText("topic", d.Topic, MaxTopicLen); err != nil {
		return err
	}
	if d.Topic != strings.TrimSpace(d.Topic) {
		return bad("topic %q has spaces around it", d.Topic)
	}
	if len(d.To) == 0 {
		return nil
	}
	if len(d.To) != ed25519.PublicKeySize {
		return bad("delegate key")
	}
	if string(d.To) == string(m.Member) {
		return notAllowed("a member cannot delegate to themself")
	}
	// Whether the delegate is a member is not causal (their admission need
	// not precede the delegation): front ends refuse a non-member, and the
	// count follows a delegation only to a member of the electorate.
	return nil
}

func checkClose(r *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	c, err := decodeAs[Close](e)
	if err != nil {
		return err
	}
	p, err := depProposal(r, e, c.Proposal.Cid)
	if err != nil {
		return err
	}
	if at, due := e.Rec.Time.Millis(), p.Closes+p.Rule.Grace(); at < due {
		return notAllowed("a proposal is closed only after its close time plus the grace period (%d ms to go)", due-at)
	}
	return nil
}

func checkCouncilMembership(r *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	c, err := decodeAs[CouncilMembership](e)
	if err != nil {
		return err
	}
	if c.Council == Root {
		return notAllowed("every member is in the root council; nobody joins or leaves it")
	}
	a, err := councilAction(r, e, c.Council)
	if err != nil {
		return err
	}
	if e.Rec.Type == TypeCouncilJoin && a.Membership != RuleOpen {
		return notAllowed("council %q is not open: members come in by %s", a.Name, a.Membership)
	}
	return nil
}
