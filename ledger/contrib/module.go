package contrib

import (
	"github.com/commons-society/commons/ledger"
)

// Module registers the contribution ledger's record types.
var Module = ledger.Module{Name: "contrib", Types: []ledger.RecordType{
	{Name: TypeContribution, Check: checkContribution, Apply: applyContribution},
	{Name: TypeReview, Check: checkReview, Apply: applyReview},
}}
