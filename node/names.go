package node

import "github.com/commons-society/commons/ledger"

// Names of the ledger that front ends need, so that they see the peer
// through this package only.

// TransferReview is the short review a confirmation may carry.
type TransferReview = ledger.TransferReview

// Transfer modes and leg states.
const (
	ModeGive       = ledger.ModeGive
	ModePay        = ledger.ModePay
	StatePending   = ledger.StatePending
	StateConfirmed = ledger.StateConfirmed
	StateRejected  = ledger.StateRejected
)

// Offer and request kinds of the directory.
const (
	KindOffer   = ledger.KindOffer
	KindRequest = ledger.KindRequest
)
