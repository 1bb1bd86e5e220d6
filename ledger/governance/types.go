// Package governance is council governance: a ledger module (see
// ledger.Module) with councils, proposals, votes, delegations and closes,
// and the queries that count them with package tally.
//
// Its files follow every module's rooms: types.go (record bodies, views and
// view keys), check.go (may a record be stored?), apply.go (what it does to
// the views), query.go (what front ends read: councils, proposals, results
// and recounts), electorate.go (the one place membership is read) and
// module.go (the registration).
//
// The fold only stores facts, each record under its own key, so the views
// are the same in every delivery order. Everything that depends on which
// votes count, which proposals passed and which actions took effect is
// computed at query time from those facts and a time `now` the caller
// passes (folds never read the clock): see docs/architecture.md,
// "Governance".
package governance

import (
	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
)

// Record types of council governance.
const (
	TypeProposal     = "proposal"
	TypeVote         = "vote"
	TypeDelegate     = "delegate"
	TypeClose        = "proposal-close"
	TypeCouncilJoin  = "council-join"
	TypeCouncilLeave = "council-leave"
	// TypeRoll names more of a proposal's electorate than fits among the
	// proposal's own deps (see Roll).
	TypeRoll = "council-roll"
)

// Root is the ID of the root council: the whole society, every member.
const Root = "root"

// Voting methods.
const (
	MethodYesNo        = "yesno"
	MethodConsent      = "consent"
	MethodConsensus    = "consensus"
	MethodApproval     = "approval"
	MethodScore        = "score"
	MethodDots         = "dots"
	MethodQuadratic    = "quadratic"
	MethodIRV          = "irv"
	MethodSTV          = "stv"
	MethodSchulze      = "schulze"
	MethodBudgetMES    = "budget-mes"
	MethodBudgetGreedy = "budget-greedy"
)

// Methods lists every voting method, in the order front ends offer them.
var Methods = []string{MethodYesNo, MethodConsent, MethodConsensus, MethodApproval, MethodScore, MethodDots,
	MethodQuadratic, MethodIRV, MethodSTV, MethodSchulze, MethodBudgetMES, MethodBudgetGreedy}

// Council kinds and membership rules.
const (
	KindWorkers   = "workers"
	KindConsumers = "consumers"
	KindGeneral   = "general"

	RuleOpen       = "open"
	RuleInvitation = "invitation"
	RuleElection   = "election"
)

// Action kinds a passed proposal may carry.
const (
	ActSettings        = "settings"
	ActRemoveMember    = "remove-member"
	ActSpend           = "spend"
	ActCouncilCreate   = "council-create"
	ActCouncilRename   = "council-rename"
	ActCouncilReparent = "council-reparent"
	ActCouncilDissolve = "council-dissolve"
	ActCouncilAdmit    = "council-admit"
	// ActCouncilCredits sets the proposal's own council's voice-credit
	// budget per member and period for quadratic votes.
	ActCouncilCredits = "council-credits"
	// ActCouncilWeight sets how the proposal's own council weighs votes:
	// one member, one vote, or by contribution reputation with a cap.
	ActCouncilWeight = "council-weight"
)

// Vote weights.
const (
	WeightEqual      = "equal"
	WeightReputation = "reputation"
)

// DefaultCredits is a council's voice-credit budget per member and period
// until a decision sets another: every quadratic proposal of the council
// opening in one period (a calendar month, UTC) draws on it.
const DefaultCredits = 100

// MaxWeightCap is the highest cap on a member's reputation weight.
const MaxWeightCap = 100

// DefaultGraceMillis is the grace after a proposal's close time during
// which close records still count: 24 hours.
const DefaultGraceMillis = 24 * 3600 * 1000

// Limits on proposals and ballots.
const (
	MaxTitleLen    = 200
	MaxTextLen     = 10000
	MaxOptions     = 64
	MaxOptionLen   = 100
	MaxActions     = 16
	MaxTopicLen    = 48
	MaxReasonLen   = ledger.MaxReasonLen
	MaxScore       = 100
	MaxDots        = 1000
	MaxCredits     = 10000
	MaxSeats       = 64
	MaxCost        = 1 << 40
	MaxWindowMills = 366 * 24 * 3600 * 1000
)

// Rule is a proposal's counting rule, frozen when it is created.
type Rule struct {
	// Quorum and Threshold are yes/no's quorum (participation over the
	// electorate) and pass threshold (yes over yes+no), as fractions.
	Quorum    tally.Frac `cbor:"quorum" json:"quorum"`
	Threshold tally.Frac `cbor:"threshold" json:"threshold"`
	Inclusive bool       `cbor:"incl" json:"inclusive,omitempty"`
	// Seats is how many options win (approval, score, dots, quadratic,
	// STV); 1 when zero.
	Seats int64 `cbor:"seats" json:"seats,omitempty"`
	// ScoreMax is the highest score (score).
	ScoreMax int64 `cbor:"smax" json:"score_max,omitempty"`
	// Dots is each voter's number of dots (dots).
	Dots int64 `cbor:"dots" json:"dots,omitempty"`
	// Credits is each voter's voice-credit budget (quadratic).
	Credits int64 `cbor:"credits" json:"credits,omitempty"`
	// Budget is the amount a participatory budget spends (budget-*).
	Budget int64 `cbor:"budget" json:"budget,omitempty"`
	// GraceMillis is how long after the close time close records still
	// count; DefaultGraceMillis when zero.
	GraceMillis uint64 `cbor:"grace" json:"grace_ms,omitempty"`
}

// Grace returns the rule's grace in milliseconds.
func (r Rule) Grace() uint64 {
	if r.GraceMillis == 0 {
		return DefaultGraceMillis
	}
	return r.GraceMillis
}

// Option is one option of a proposal; Cost is a budget project's cost.
type Option struct {
	Name string `cbor:"name" json:"name"`
	Cost int64  `cbor:"cost,omitempty" json:"cost,omitempty"`
}

// Action is something a passed proposal does. Which fields are used
// depends on Kind.
type Action struct {
	Kind string `cbor:"kind" json:"kind"`
	// Settings are the new society settings (settings).
	Settings *membership.Settings `cbor:"settings,omitempty" json:"settings,omitempty"`
	// Member is the member removed, paid or admitted (remove-member,
	// spend, council-admit).
	Member []byte `cbor:"member,omitempty" json:"member,omitempty"`
	// Amount is paid from the community account (spend), in minutes.
	Amount int64 `cbor:"amount,omitempty" json:"amount,omitempty"`
	// Project names the budget option a spend funds (spend), if any.
	Project string `cbor:"project,omitempty" json:"project,omitempty"`
	// Council is the council acted on (rename, reparent, dissolve).
	Council string `cbor:"council,omitempty" json:"council,omitempty"`
	// Name, Kind, Membership and Seats describe a council (create,
	// rename).
	Name       string `cbor:"name,omitempty" json:"name,omitempty"`
	CKind      string `cbor:"ckind,omitempty" json:"council_kind,omitempty"`
	Membership string `cbor:"rule,omitempty" json:"membership,omitempty"`
	Seats      int64  `cbor:"seats,omitempty" json:"seats,omitempty"`
	// Members are an invitation or elected council's first members
	// (create).
	Members [][]byte `cbor:"members,omitempty" json:"members,omitempty"`
	// Parent is the new parent (reparent).
	Parent string `cbor:"parent,omitempty" json:"parent,omitempty"`
	// Credits is the voice-credit budget per member and period
	// (council-credits).
	Credits int64 `cbor:"credits,omitempty" json:"credits,omitempty"`
	// Weight is WeightEqual or WeightReputation, and Cap the most a
	// member's vote weighs by reputation (council-weight).
	Weight string `cbor:"weight,omitempty" json:"weight,omitempty"`
	Cap    int64  `cbor:"cap,omitempty" json:"cap,omitempty"`
}

// Proposal is a question put to a council. Its CID is its ID.
type Proposal struct {
	// Council is Root or a council ID (see CouncilID); a council other
	// than Root names its creating proposal among the record's deps.
	Council string   `cbor:"council"`
	Title   string   `cbor:"title"`
	Text    string   `cbor:"text"`
	Method  string   `cbor:"method"`
	Options []Option `cbor:"options"`
	Rule    Rule     `cbor:"rule"`
	// Opens and Closes bound the voting window, in Unix milliseconds.
	Opens  uint64 `cbor:"opens"`
	Closes uint64 `cbor:"closes"`
	// Topic optionally tags the proposal for topic delegations.
	Topic   string   `cbor:"topic"`
	Actions []Action `cbor:"actions"`
}

// Vote is a member's ballot on a proposal; the voter's latest vote by their
// own chain order counts.
type Vote struct {
	// Proposal must also be among the record's deps.
	Proposal crdt.Link     `cbor:"proposal"`
	Choice   string        `cbor:"choice,omitempty"`
	Approve  []string      `cbor:"approve,omitempty"`
	Rank     []string      `cbor:"rank,omitempty"`
	Points   []tally.Point `cbor:"points,omitempty"`
	// Reason explains an objection or a block (required for them).
	Reason string `cbor:"reason,omitempty"`
}

// Delegation gives a member's vote in a council (for one topic, or every
// topic when empty) to another member; To empty revokes it.
type Delegation struct {
	Council string `cbor:"council"`
	Topic   string `cbor:"topic"`
	To      []byte `cbor:"to"`
}

// Close records that a proposal's voting is over; see the finality rule in
// docs/architecture.md. Its causal past defines the votes it counts.
type Close struct {
	Proposal crdt.Link `cbor:"proposal"`
}

// Roll is a council-roll body: its deps name records that decide who is
// in a council's electorate (admissions and the genesis for the root;
// council joins and leaves for another council) or other rolls of the
// same council. A proposal that depends on a roll counts what it names as
// named by the proposal itself; see "Electorate" in docs/architecture.md.
type Roll struct {
	Council string `cbor:"council"`
}

// CouncilMembership is a council-join or council-leave body.
type CouncilMembership struct {
	Council string `cbor:"council"`
}

// View keys. Every record writes only keys of its own, so the views do not
// depend on delivery order.
const (
	kProposal = "gov/p/" // proposal CID -> ProposalView
	kVote     = "gov/v/" // proposal CID + voter + version -> VoteView
	kDeleg    = "gov/d/" // council + delegator + version -> DelegationView
	kClose    = "gov/c/" // proposal CID + close CID -> CloseView
	kMember   = "gov/m/" // council + member + version -> MembershipView
	kElector  = "gov/e/" // proposal CID + member -> true: the named electorate
)

// ProposalView is a stored proposal.
type ProposalView struct {
	ID       []byte   `cbor:"id"`
	Author   []byte   `cbor:"author"`
	Time     crdt.HLC `cbor:"time"`
	Proposal Proposal `cbor:"p"`
}

// VoteView is one stored vote.
type VoteView struct {
	ID    []byte         `cbor:"id"`
	Voter []byte         `cbor:"voter"`
	V     ledger.Version `cbor:"v"`
	Vote  Vote           `cbor:"vote"`
}

// DelegationView is one stored delegation or revocation.
type DelegationView struct {
	ID        []byte         `cbor:"id"`
	Delegator []byte         `cbor:"from"`
	V         ledger.Version `cbor:"v"`
	D         Delegation     `cbor:"d"`
}

// CloseView is one stored close.
type CloseView struct {
	ID   []byte   `cbor:"id"`
	Time crdt.HLC `cbor:"time"`
}

// MembershipView is one stored council join or leave.
type MembershipView struct {
	// ID is the join or leave record's CID.
	ID     []byte         `cbor:"id,omitempty"`
	Member []byte         `cbor:"member"`
	Join   bool           `cbor:"join"`
	V      ledger.Version `cbor:"v"`
}
