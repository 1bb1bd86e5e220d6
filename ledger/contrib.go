package ledger

import (
	"fmt"

	"github.com/commons-society/commons/crdt"
)

// Record types of the contribution ledger.
const (
	TypeContribution = "contribution"
	TypeReview       = "review"
)

func checkContribution(e *crdt.Entry) error {
	return fmt.Errorf("%w: %q not implemented yet", ErrUnknownType, e.Rec.Type)
}

func checkReview(r *crdt.Reader, e *crdt.Entry, member []byte) error {
	return fmt.Errorf("%w: %q not implemented yet", ErrUnknownType, e.Rec.Type)
}

func applyContribution(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error { return nil }

func applyReview(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error { return nil }
