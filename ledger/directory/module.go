package directory

import (
	"github.com/commons-society/commons/ledger"
)

// Module registers the directory's record types.
var Module = ledger.Module{Name: "directory", Types: []ledger.RecordType{
	{Name: TypeListing, Check: checkListing, Apply: applyListing},
	{Name: TypeListingClose, Check: checkListingClose, Apply: applyListingClose},
}}
