package timebank

import (
	"fmt"

	"github.com/commons-society/commons/crdt"
)

// balancesSumToZero checks that every minute credited was debited: the
// balances of all accounts, the community account included, sum to zero.
func balancesSumToZero(r *crdt.Reader) error {
	sum, err := TotalBalance(r)
	if err != nil {
		return err
	}
	if sum != 0 {
		return fmt.Errorf("%w: the balances sum to %d minutes", crdt.ErrCorrupt, sum)
	}
	return nil
}
