package node

import "github.com/commons-society/commons/ledger/governance"

// API is everything a front end (the command line, the app) asks of a
// node. Node implements it in process; Client implements it over the
// control socket of a node running in another process.
type API interface {
	// Status describes the member and the societies held.
	Status() (*Status, error)
	// CreateSociety founds a society with the local member as founder.
	CreateSociety(name string) (*SocietyStatus, error)
	// Invite makes an invite code for a society.
	Invite(req InviteRequest) (*InviteResult, error)
	// Join asks to join the society of an invite code.
	Join(code string) (*JoinResult, error)
	// SetProfile changes some of the local member's profile fields.
	SetProfile(req ProfileRequest) error
	// Export writes a society's records to a CAR file.
	Export(req ExportRequest) (*ExportResult, error)
	// Import verifies and stores the records of a CAR file.
	Import(path string) (*ImportResult, error)
	// RevokeInvite withdraws an invite this device made.
	RevokeInvite(req RevokeInviteRequest) error
	// Leave ends the local member's membership.
	Leave(req SocietyRequest) error
	// Remove is the founder removing a member.
	Remove(req RemoveRequest) error
	// RevokeDevice revokes a device of the local member (any, for the founder).
	RevokeDevice(req RevokeDeviceRequest) error
	// Members lists a society's members.
	Members(req SocietyRequest) ([]MemberInfo, error)
	// AddListing adds an offer or a request to the directory.
	AddListing(req ListingRequest) (string, error)
	// Listings searches the directory.
	Listings(req ListingsRequest) ([]ListingInfo, error)
	// CloseListing closes one of the local member's listings.
	CloseListing(req CloseListingRequest) error

	// Council governance (node/governance.go).

	// CouncilList lists the councils, the root council first.
	CouncilList(req SocietyRequest) ([]governance.Council, error)
	// CouncilShow describes a council and its proposals.
	CouncilShow(req CouncilRequest) (*CouncilDetail, error)
	// CouncilJoin joins an open council.
	CouncilJoin(req CouncilRequest) error
	// CouncilLeave leaves a council.
	CouncilLeave(req CouncilRequest) error
	// ProposalCreate puts a proposal to a council.
	ProposalCreate(req ProposalRequest) (*ProposalInfo, error)
	// ProposalList lists proposals with their counts now.
	ProposalList(req ProposalsRequest) ([]ProposalInfo, error)
	// ProposalShow describes a proposal with its count.
	ProposalShow(req ProposalIDRequest) (*ProposalDetail, error)
	// ProposalRecount lists every counted ballot and the result.
	ProposalRecount(req ProposalIDRequest) (*governance.Result, error)
	// ProposalClose closes a proposal after its close time and grace.
	ProposalClose(req ProposalIDRequest) (*ProposalInfo, error)
	// Vote casts or changes the local member's ballot.
	Vote(req VoteRequest) (*ProposalInfo, error)
	// Delegate gives the local member's vote in a council to a member.
	Delegate(req DelegateRequest) error
	// Undelegate revokes a delegation.
	Undelegate(req DelegateRequest) error
	// Delegations lists the delegations in effect that the local member
	// gave or received (node/delegations.go).
	Delegations(req DelegationsRequest) (*DelegationsInfo, error)
	// Treasury shows the community account: balance, inflows and
	// outflows with the decisions that paid (node/effects.go).
	Treasury(req SocietyRequest) (*TreasuryInfo, error)

	// Time bank (node/timebank.go).

	// ProposeTransfer proposes giving or paying minutes; it returns the
	// transfer, whose ID its counterparties answer.
	ProposeTransfer(req TransferRequest) (*TransferInfo, error)
	// AnswerTransfer confirms or rejects the local member's leg of a
	// transfer.
	AnswerTransfer(req AnswerRequest) (*TransferInfo, error)
	// DisputeTransfer contests a leg of a transfer, or consents to
	// reversing it.
	DisputeTransfer(req DisputeRequest) (*TransferInfo, error)
	// PendingTransfers lists the transfers waiting for the local member's
	// answer.
	PendingTransfers(req SocietyRequest) ([]PendingInfo, error)
	// Transfer describes one transfer.
	Transfer(req TransferIDRequest) (*TransferInfo, error)
	// Transfers lists recent transfers the local member is party to.
	Transfers(req TransfersRequest) ([]TransferInfo, error)
	// Balance returns an account's time-bank balance.
	Balance(req BalanceRequest) (*BalanceInfo, error)
	// Statement returns an account's time-bank statement.
	Statement(req StatementRequest) (*StatementInfo, error)

	// Contributions (node/contrib.go).

	// AddContribution records work the local member did; it returns the
	// contribution, whose ID other members review.
	AddContribution(req ContributionRequest) (*ContributionInfo, error)
	// ReviewContribution rates another member's contribution, replacing
	// the local member's earlier review of it.
	ReviewContribution(req ReviewRequest) (*ContributionInfo, error)
	// Contributions lists contributions, newest first, with their reviews.
	Contributions(req ContributionsRequest) ([]ContributionInfo, error)
	// Contribution describes one contribution with its reviews.
	Contribution(req ContributionIDRequest) (*ContributionInfo, error)
	// CV returns a member's CV: hours, reputation, contributions, reviews
	// and time-bank services provided.
	CV(req CVRequest) (*CVResult, error)

	// App (node/society.go): what the desktop app's home and society
	// screens need.

	// Invites lists the invites this device made, newest first, with
	// their state (their codes are shown only when made).
	Invites(req SocietyRequest) ([]InviteInfo, error)
	// Activity lists a society's recent activity, newest first: one
	// readable item per record that matters to members.
	Activity(req ActivityRequest) ([]ActivityItem, error)
	// SetSocietySettings changes the society's settings (founder only).
	SetSocietySettings(req SettingsRequest) error
}

// Status is the answer of API.Status.
type Status struct {
	Member    MemberStatus    `json:"member"`
	Societies []SocietyStatus `json:"societies"`
	// Pending counts records parked until their parents arrive.
	Pending int `json:"pending_records"`
	// Network is present while the node replicates over the network.
	Network *NetworkStatus `json:"network,omitempty"`
}

// NetworkStatus describes the node's place in the network.
type NetworkStatus struct {
	Addrs []string     `json:"addrs"`
	Peers []PeerStatus `json:"peers"`
	// Sync is the catch-up in progress, if any.
	Sync SyncStatus `json:"sync"`
	// LAN, when set, says why LAN discovery is off although it was asked
	// for (a phone's OS refusing multicast): a notice, not an error.
	LAN string `json:"lan,omitempty"`
	// Rejections counts the records and data peers sent that were
	// refused since the network started, by reason and by peer.
	Rejections *RejectionStatus `json:"rejections,omitempty"`
}

// MemberStatus names the local member and device.
type MemberStatus struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	DeviceID string `json:"device_id"`
}

// SocietyStatus summarises one society.
type SocietyStatus struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Members   uint64 `json:"members"`
	Records   uint64 `json:"records"`
	StateHash string `json:"state_hash"`
	// Me is the local member's standing: founder, member, waiting (joined,
	// not yet admitted), left, removed, or none.
	Me    string `json:"me"`
	Forks int    `json:"forks"`
	// Settings are the society's current rules (credit limits, reputation
	// half-life).
	Settings SocietySettings `json:"settings"`
	// Founder is true when the local member founded the society (and so
	// may change its settings); FounderID names the founder.
	Founder   bool   `json:"founder"`
	FounderID string `json:"founder_id"`
	// Unshared counts this device's records of the society that no peer is
	// known to hold. A peer is known to hold them once seen in its version
	// vector during a sync, sent to it in a sync that completed,
	// acknowledged by it after it stored them from gossip, or found in a
	// CAR file imported from it. What is known is kept in the home
	// (shared.json) across restarts; if it cannot be kept, every record of
	// this device counts until the next sync or import (an upper bound,
	// never an underestimate).
	Unshared int `json:"unshared"`
}

// InviteRequest asks for an invite code.
type InviteRequest struct {
	Society string `json:"society,omitempty"`
	// ExpiresHours is how long the invite may be used (default 168: a week).
	ExpiresHours int `json:"expires_hours,omitempty"`
	// Uses is how many people may join with it (default 1).
	Uses int `json:"uses,omitempty"`
}

// InviteResult carries a new invite code.
type InviteResult struct {
	Code    string `json:"code"`
	Invite  string `json:"invite"`
	Society string `json:"society"`
	Expires string `json:"expires"`
}

// JoinResult reports a join.
type JoinResult struct {
	Society string `json:"society"`
	Name    string `json:"name"`
	Join    string `json:"join"`
	// Admitted is true when the admission is already held.
	Admitted bool `json:"admitted"`
}

// ProfileRequest changes profile fields; nil fields are left alone.
type ProfileRequest struct {
	Society string    `json:"society,omitempty"`
	Name    *string   `json:"name,omitempty"`
	Bio     *string   `json:"bio,omitempty"`
	Skills  *[]string `json:"skills,omitempty"`
}

// ExportRequest asks for a CAR file of a society's records.
type ExportRequest struct {
	Society string `json:"society,omitempty"`
	Path    string `json:"path"`
}

// ExportResult reports an export.
type ExportResult struct {
	Society string `json:"society"`
	Records int    `json:"records"`
	Path    string `json:"path"`
}

// ImportResult reports an import.
type ImportResult struct {
	Society    string   `json:"society"`
	Stored     int      `json:"stored"`
	Duplicates int      `json:"duplicates"`
	Waiting    int      `json:"waiting"`
	Rejected   []string `json:"rejected,omitempty"`
	Admitted   int      `json:"admitted"`
	StateHash  string   `json:"state_hash"`
}

// SocietyRequest names a society (empty: the only one).
type SocietyRequest struct {
	Society string `json:"society,omitempty"`
}

// RevokeInviteRequest names an invite by ID or by its code.
type RevokeInviteRequest struct {
	Society string `json:"society,omitempty"`
	Invite  string `json:"invite"`
}

// RemoveRequest names a member to remove, by ID or unambiguous name.
type RemoveRequest struct {
	Society string `json:"society,omitempty"`
	Member  string `json:"member"`
	Reason  string `json:"reason,omitempty"`
}

// RevokeDeviceRequest names a device to revoke by its ID.
type RevokeDeviceRequest struct {
	Society string `json:"society,omitempty"`
	Device  string `json:"device"`
}

// MemberInfo describes a member for listings.
type MemberInfo struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Bio     string   `json:"bio,omitempty"`
	Skills  []string `json:"skills"`
	Status  string   `json:"status"`
	Devices []string `json:"devices"`
	// RevokedDevices lists the devices whose later records take no effect
	// (revoked, forked, or the member left or was removed).
	RevokedDevices []string `json:"revoked_devices,omitempty"`
}
