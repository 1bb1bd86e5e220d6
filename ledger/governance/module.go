package governance

import "github.com/commons-society/commons/ledger"

// Module registers council governance's record types.
var Module = ledger.Module{Name: "governance", Types: []ledger.RecordType{
	{Name: TypeProposal, Check: checkProposal, Apply: applyProposal},
	{Name: TypeVote, Check: checkVote, Apply: applyVote},
	{Name: TypeDelegate, Check: checkDelegate, Apply: applyDelegate},
	{Name: TypeClose, Check: checkClose, Apply: applyClose},
	{Name: TypeCouncilJoin, Check: checkCouncilMembership, Apply: applyCouncilMembership},
	{Name: TypeCouncilLeave, Check: checkCouncilMembership, Apply: applyCouncilMembership},
	{Name: TypeRoll, Check: checkRoll, Apply: applyRoll},
}}
