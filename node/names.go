package node

import (
	"github.com/commons-society/commons/ledger/directory"
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
