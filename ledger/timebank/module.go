package timebank

import (
	"github.com/commons-society/commons/ledger"
)

// Module registers the time bank's record types. A transfer, answer or
// dispute whose device was cut is noted as void, so every peer lists the
// same such records (see Audit).
var Module = ledger.Module{Name: "timebank", Types: []ledger.RecordType{
	{Name: TypeTransfer, Check: checkTransfer, Apply: applyTimeBank, Void: noteVoid},
	{Name: TypeAnswer, Check: checkAnswerOrDispute, Apply: applyTimeBank, Void: noteVoid},
	{Name: TypeDispute, Check: checkAnswerOrDispute, Apply: applyTimeBank, Void: noteVoid},
}, Invariants: []ledger.Invariant{{Name: "the balances of all accounts sum to zero", Check: balancesSumToZero}}}
