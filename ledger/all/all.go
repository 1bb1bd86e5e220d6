// Package all assembles the society's ledger: it registers every domain
// module (membership, the time bank, contributions, the directory, governance) behind
// the membership gate, and is what the node opens its store with. A new
// domain is one more module in Modules.
package all

import (
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
)

// Modules returns every domain module, in registration order.
func Modules() []ledger.Module {
	return []ledger.Module{membership.Module, timebank.Module, contrib.Module, directory.Module, governance.Module}
}

// New returns the society's applier, with every module registered.
func New() *ledger.Ledger {
	l, err := ledger.New(membership.Gate{}, Modules()...)
	if err != nil {
		panic(err) // the module set is fixed at compile time; TestModulesRegister builds it
	}
	return l
}
