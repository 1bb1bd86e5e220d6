package membership

import (
	"github.com/commons-society/commons/ledger"
)

// Module is the membership family: genesis, invites, joins,
// admissions, devices, profiles, settings, leaving and removal.
var Module = ledger.Module{Name: "membership", Types: []ledger.RecordType{
	{Name: TypeGenesis, Check: checkGenesis, Exclude: excludeGenesis, Apply: applyGenesis, AnyAuthor: true},
	{Name: TypeInvite, Check: checkInvite, Apply: applyInvite},
	{Name: TypeInviteRevoke, Check: checkInviteRevoke, Apply: applyInviteRevoke, AnyAuthor: true},
	{Name: TypeJoin, Check: checkJoin, Apply: applyJoin, AnyAuthor: true},
	{Name: TypeAdmit, Check: checkAdmit, Apply: applyAdmit, AnyAuthor: true},
	{Name: TypeDevice, Check: checkDevice, Apply: applyDevice},
	{Name: TypeDeviceRevoke, Check: checkDeviceRevoke, Exclude: excludeBy(excludeDevice), Apply: applyNothing, AnyAuthor: true},
	{Name: TypeProfile, Check: checkProfile, Apply: applyProfile},
	{Name: TypeSettings, Check: checkSettings, Apply: applySettings},
	{Name: TypeLeave, Check: checkLeave, Exclude: excludeBy(excludeLeave), Apply: applyDeparture, AnyAuthor: true},
	{Name: TypeRemove, Check: checkRemove, Exclude: excludeBy(excludeRemove), Apply: applyDeparture, AnyAuthor: true},
}}
