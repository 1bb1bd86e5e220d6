package node

import (
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
)

// Names of the ledger that front ends need, so that they see the peer
// through this package only.

// TransferReview is the short review a confirmation may carry.
type TransferReview = timebank.TransferReview

// Transfer modes and leg states.
const (
	ModeGive       = timebank.ModeGive
	ModePay        = timebank.ModePay
	StatePending   = timebank.StatePending
	StateConfirmed = timebank.StateConfirmed
	StateRejected  = timebank.StateRejected
)

// Offer and request kinds of the directory.
const (
	KindOffer   = directory.KindOffer
	KindRequest = directory.KindRequest
)

// SocietySettings are a society's rules: credit limits in minutes and the
// reputation half-life in days.
type SocietySettings = membership.Settings

// MemberActive is the status (MemberInfo.Status) of a member who may take
// part in transfers: admitted, and neither left nor removed.
const MemberActive = membership.StatusActive

// Council governance: the councils, proposals and ballots front ends show.
type (
	// Council is a council as the final decisions made it.
	Council = governance.Council
	// ProposalBody is a proposal as its record states it.
	ProposalBody = governance.Proposal
	// ProposalOption is an option of a proposal (a budget project has a
	// cost).
	ProposalOption = governance.Option
	// ProposalRule is a proposal's counting rule.
	ProposalRule = governance.Rule
	// Ballot is a counted ballot.
	Ballot = tally.Ballot
	// BallotPoint is a number a ballot gives an option (score, dots,
	// quadratic votes).
	BallotPoint = tally.Point
	// OptionCount is an option with its tally.
	OptionCount = tally.Count
	// RankedResult is the count of an instant-runoff or STV vote.
	RankedResult = tally.RankedResult
	// BudgetResult is the count of a participatory budget.
	BudgetResult = tally.BudgetResult
	// Fraction is a quorum or threshold, as num/den.
	Fraction = tally.Frac
	// ProposalAction is something a passed proposal does.
	ProposalAction = governance.Action
)

// Kinds of the actions a front end attaches to a proposal.
const (
	ActSettings        = governance.ActSettings
	ActRemoveMember    = governance.ActRemoveMember
	ActSpend           = governance.ActSpend
	ActCouncilCreate   = governance.ActCouncilCreate
	ActCouncilRename   = governance.ActCouncilRename
	ActCouncilReparent = governance.ActCouncilReparent
	ActCouncilDissolve = governance.ActCouncilDissolve
	ActCouncilAdmit    = governance.ActCouncilAdmit
	ActCouncilCredits  = governance.ActCouncilCredits
	ActCouncilWeight   = governance.ActCouncilWeight
)

// Vote weights a council-weight action sets: one member, one vote
// (WeightEqual), or by contribution reputation with a cap from 1 to
// MaxWeightCap (WeightReputation).
const (
	WeightEqual      = governance.WeightEqual
	WeightReputation = governance.WeightReputation
	MaxWeightCap     = governance.MaxWeightCap
)

// MemberKey returns the public key a member ID names, as actions carry
// it.
func MemberKey(id string) ([]byte, error) {
	k, err := identity.PublicKeyFromID(strings.TrimSpace(id))
	if err != nil {
		return nil, fmt.Errorf("node: %q is not a member ID: %w", id, err)
	}
	return k, nil
}

// RootCouncil is the ID of the society's root council.
const RootCouncil = governance.Root

// Council kinds and membership rules.
const (
	CouncilWorkers       = governance.KindWorkers
	CouncilConsumers     = governance.KindConsumers
	CouncilGeneral       = governance.KindGeneral
	MembershipOpen       = governance.RuleOpen
	MembershipInvitation = governance.RuleInvitation
	MembershipElection   = governance.RuleElection
)

// Proposal statuses (ProposalInfo.Status).
const (
	ProposalScheduled = governance.StatusScheduled
	ProposalOpen      = governance.StatusOpen
	ProposalClosing   = governance.StatusClosing
	ProposalFinal     = governance.StatusFinal
)

// Voting methods.
const (
	MethodYesNo        = governance.MethodYesNo
	MethodConsent      = governance.MethodConsent
	MethodConsensus    = governance.MethodConsensus
	MethodApproval     = governance.MethodApproval
	MethodScore        = governance.MethodScore
	MethodDots         = governance.MethodDots
	MethodQuadratic    = governance.MethodQuadratic
	MethodIRV          = governance.MethodIRV
	MethodSTV          = governance.MethodSTV
	MethodSchulze      = governance.MethodSchulze
	MethodBudgetMES    = governance.MethodBudgetMES
	MethodBudgetGreedy = governance.MethodBudgetGreedy
)

// VotingMethods lists every voting method, in the order front ends offer
// them.
func VotingMethods() []string { return slices.Clone(governance.Methods) }

// Ballot choices of yes/no, consent and consensus proposals.
const (
	ChoiceYes      = tally.Yes
	ChoiceNo       = tally.No
	ChoiceAbstain  = tally.Abstain
	ChoiceConsent  = tally.Consent
	ChoiceObject   = tally.Object
	ChoiceAgree    = tally.Agree
	ChoiceDisagree = tally.Disagree
	ChoiceBlock    = tally.Block
)

// Limits of the society's settings: balance limits in minutes either
// way, and the reputation half-life in days.
const (
	MaxCreditLimit  = membership.MaxCreditLimit
	MaxHalfLifeDays = membership.MaxHalfLifeDays
)

// Limits of a proposal's rule.
const (
	MaxScore   = governance.MaxScore
	MaxDots    = governance.MaxDots
	MaxCredits = governance.MaxCredits
	MaxCost    = governance.MaxCost
	MaxSeats   = governance.MaxSeats
)
