package node

import (
	"encoding/json"

	"github.com/commons-society/commons/ledger/governance"
)

// The control socket's commands: one line per API method. Each line names
// the command on the wire and the API method it calls; the server decodes
// the arguments into the method's argument type, calls it on the API it
// serves and encodes the result (serve), and the Client's method of the
// same name sends the arguments and decodes the result (remote). Adding an
// API method means adding it to API, to Node, one line here and the
// one-line Client method below; TestControlTable checks that every API
// method has its line and round-trips through Client.

// commands maps a command's wire name to how the server serves it.
var commands = map[string]func(API, json.RawMessage) (any, error){}

// command is one API method on the control socket, typed by its argument
// A and result R.
type command[A, R any] struct {
	name string
}

// register adds an API method to the control socket under a wire name.
// It runs at package initialisation, so a name used twice is a
// programming error and panics before anything is served.
func register[A, R any](name string, method func(API, A) (R, error)) command[A, R] {
	if _, dup := commands[name]; dup {
		panic("node: control command " + name + " registered twice")
	}
	commands[name] = func(api API, raw json.RawMessage) (any, error) {
		var a A
		if err := decodeArgs(raw, &a); err != nil {
			return nil, err
		}
		return method(api, a)
	}
	return command[A, R]{name: name}
}

// noArgs adapts an API method without arguments to register. Its
// arguments are taken raw and ignored, as they always were: the client
// sends null.
func noArgs[R any](method func(API) (R, error)) func(API, json.RawMessage) (R, error) {
	return func(api API, _ json.RawMessage) (R, error) { return method(api) }
}

// noResult adapts an API method that returns only an error to register;
// its result on the wire is an empty object.
func noResult[A any](method func(API, A) error) func(API, A) (struct{}, error) {
	return func(api API, a A) (struct{}, error) { return struct{}{}, method(api, a) }
}

// remote calls the command over the client's socket. On an error the
// result is R's zero value, as from Node.
func (k command[A, R]) remote(c *Client, args A) (R, error) {
	var out R
	if err := c.call(k.name, args, &out); err != nil {
		var zero R
		return zero, err
	}
	return out, nil
}

// remoteErr calls a command that returns only an error.
func (k command[A, R]) remoteErr(c *Client, args A) error {
	_, err := k.remote(c, args)
	return err
}

// The commands, grouped as API is.
var (
	cmdStatus        = register("status", noArgs(API.Status))
	cmdCreateSociety = register("society.create", API.CreateSociety)
	cmdInvite        = register("invite", API.Invite)
	cmdJoin          = register("join", API.Join)
	cmdSetProfile    = register("profile.set", noResult(API.SetProfile))
	cmdExport        = register("export", API.Export)
	cmdImport        = register("import", API.Import)
	cmdRevokeInvite  = register("invite.revoke", noResult(API.RevokeInvite))
	cmdLeave         = register("leave", noResult(API.Leave))
	cmdRemove        = register("remove", noResult(API.Remove))
	cmdRevokeDevice  = register("device.revoke", noResult(API.RevokeDevice))
	cmdMembers       = register("members", API.Members)
	cmdAddListing    = register("listing.add", API.AddListing)
	cmdListings      = register("listing.list", API.Listings)
	cmdCloseListing  = register("listing.close", noResult(API.CloseListing))

	cmdProposeTransfer  = register("hours.propose", API.ProposeTransfer)
	cmdAnswerTransfer   = register("hours.answer", API.AnswerTransfer)
	cmdDisputeTransfer  = register("hours.dispute", API.DisputeTransfer)
	cmdPendingTransfers = register("hours.pending", API.PendingTransfers)
	cmdTransfer         = register("hours.show", API.Transfer)
	cmdTransfers        = register("hours.list", API.Transfers)
	cmdBalance          = register("balance", API.Balance)
	cmdStatement        = register("statement", API.Statement)

	cmdAddContribution    = register("contrib.add", API.AddContribution)
	cmdReviewContribution = register("contrib.review", API.ReviewContribution)
	cmdContributions      = register("contrib.list", API.Contributions)
	cmdContribution       = register("contrib.show", API.Contribution)
	cmdCV                 = register("cv", API.CV)

	cmdCouncilList     = register("council.list", API.CouncilList)
	cmdCouncilShow     = register("council.show", API.CouncilShow)
	cmdCouncilJoin     = register("council.join", noResult(API.CouncilJoin))
	cmdCouncilLeave    = register("council.leave", noResult(API.CouncilLeave))
	cmdProposalCreate  = register("proposal.create", API.ProposalCreate)
	cmdProposalList    = register("proposal.list", API.ProposalList)
	cmdProposalShow    = register("proposal.show", API.ProposalShow)
	cmdProposalRecount = register("proposal.recount", API.ProposalRecount)
	cmdProposalClose   = register("proposal.close", API.ProposalClose)
	cmdVote            = register("vote", API.Vote)
	cmdDelegate        = register("delegate", noResult(API.Delegate))
	cmdUndelegate      = register("undelegate", noResult(API.Undelegate))
	cmdDelegations     = register("delegation.list", API.Delegations)
	cmdTreasury        = register("treasury", API.Treasury)

	cmdInvites            = register("invite.list", API.Invites)
	cmdActivity           = register("activity", API.Activity)
	cmdSetSocietySettings = register("society.settings", noResult(API.SetSocietySettings))
)

// The Client's methods: Go cannot make an interface's methods from a
// table, so each is one line calling its command.

// Status implements API.
func (c *Client) Status() (*Status, error) { return cmdStatus.remote(c, nil) }

// CreateSociety implements API.
func (c *Client) CreateSociety(name string) (*SocietyStatus, error) {
	return cmdCreateSociety.remote(c, name)
}

// Invite implements API.
func (c *Client) Invite(req InviteRequest) (*InviteResult, error) { return cmdInvite.remote(c, req) }

// Join implements API.
func (c *Client) Join(code string) (*JoinResult, error) { return cmdJoin.remote(c, code) }

// SetProfile implements API.
func (c *Client) SetProfile(req ProfileRequest) error { return cmdSetProfile.remoteErr(c, req) }

// Export implements API.
func (c *Client) Export(req ExportRequest) (*ExportResult, error) { return cmdExport.remote(c, req) }

// Import implements API.
func (c *Client) Import(path string) (*ImportResult, error) { return cmdImport.remote(c, path) }

// RevokeInvite implements API.
func (c *Client) RevokeInvite(req RevokeInviteRequest) error {
	return cmdRevokeInvite.remoteErr(c, req)
}

// Leave implements API.
func (c *Client) Leave(req SocietyRequest) error { return cmdLeave.remoteErr(c, req) }

// Remove implements API.
func (c *Client) Remove(req RemoveRequest) error { return cmdRemove.remoteErr(c, req) }

// RevokeDevice implements API.
func (c *Client) RevokeDevice(req RevokeDeviceRequest) error {
	return cmdRevokeDevice.remoteErr(c, req)
}

// Members implements API.
func (c *Client) Members(req SocietyRequest) ([]MemberInfo, error) {
	return cmdMembers.remote(c, req)
}

// AddListing implements API.
func (c *Client) AddListing(req ListingRequest) (string, error) {
	return cmdAddListing.remote(c, req)
}

// Listings implements API.
func (c *Client) Listings(req ListingsRequest) ([]ListingInfo, error) {
	return cmdListings.remote(c, req)
}

// CloseListing implements API.
func (c *Client) CloseListing(req CloseListingRequest) error {
	return cmdCloseListing.remoteErr(c, req)
}

// ProposeTransfer implements API.
func (c *Client) ProposeTransfer(req TransferRequest) (*TransferInfo, error) {
	return cmdProposeTransfer.remote(c, req)
}

// AnswerTransfer implements API.
func (c *Client) AnswerTransfer(req AnswerRequest) (*TransferInfo, error) {
	return cmdAnswerTransfer.remote(c, req)
}

// DisputeTransfer implements API.
func (c *Client) DisputeTransfer(req DisputeRequest) (*TransferInfo, error) {
	return cmdDisputeTransfer.remote(c, req)
}

// PendingTransfers implements API.
func (c *Client) PendingTransfers(req SocietyRequest) ([]PendingInfo, error) {
	return cmdPendingTransfers.remote(c, req)
}

// Transfer implements API.
func (c *Client) Transfer(req TransferIDRequest) (*TransferInfo, error) {
	return cmdTransfer.remote(c, req)
}

// Transfers implements API.
func (c *Client) Transfers(req TransfersRequest) ([]TransferInfo, error) {
	return cmdTransfers.remote(c, req)
}

// Balance implements API.
func (c *Client) Balance(req BalanceRequest) (*BalanceInfo, error) {
	return cmdBalance.remote(c, req)
}

// Statement implements API.
func (c *Client) Statement(req StatementRequest) (*StatementInfo, error) {
	return cmdStatement.remote(c, req)
}

// AddContribution implements API.
func (c *Client) AddContribution(req ContributionRequest) (*ContributionInfo, error) {
	return cmdAddContribution.remote(c, req)
}

// ReviewContribution implements API.
func (c *Client) ReviewContribution(req ReviewRequest) (*ContributionInfo, error) {
	return cmdReviewContribution.remote(c, req)
}

// Contributions implements API.
func (c *Client) Contributions(req ContributionsRequest) ([]ContributionInfo, error) {
	return cmdContributions.remote(c, req)
}

// Contribution implements API.
func (c *Client) Contribution(req ContributionIDRequest) (*ContributionInfo, error) {
	return cmdContribution.remote(c, req)
}

// CV implements API.
func (c *Client) CV(req CVRequest) (*CVResult, error) { return cmdCV.remote(c, req) }

// Invites implements API.
func (c *Client) Invites(req SocietyRequest) ([]InviteInfo, error) {
	return cmdInvites.remote(c, req)
}

// Activity implements API.
func (c *Client) Activity(req ActivityRequest) ([]ActivityItem, error) {
	return cmdActivity.remote(c, req)
}

// SetSocietySettings implements API.
func (c *Client) SetSocietySettings(req SettingsRequest) error {
	return cmdSetSocietySettings.remoteErr(c, req)
}

var _ API = (*Client)(nil)

// CouncilList implements API.
func (c *Client) CouncilList(req SocietyRequest) ([]governance.Council, error) {
	return cmdCouncilList.remote(c, req)
}

// CouncilShow implements API.
func (c *Client) CouncilShow(req CouncilRequest) (*CouncilDetail, error) {
	return cmdCouncilShow.remote(c, req)
}

// CouncilJoin implements API.
func (c *Client) CouncilJoin(req CouncilRequest) error { return cmdCouncilJoin.remoteErr(c, req) }

// CouncilLeave implements API.
func (c *Client) CouncilLeave(req CouncilRequest) error { return cmdCouncilLeave.remoteErr(c, req) }

// ProposalCreate implements API.
func (c *Client) ProposalCreate(req ProposalRequest) (*ProposalInfo, error) {
	return cmdProposalCreate.remote(c, req)
}

// ProposalList implements API.
func (c *Client) ProposalList(req ProposalsRequest) ([]ProposalInfo, error) {
	return cmdProposalList.remote(c, req)
}

// ProposalShow implements API.
func (c *Client) ProposalShow(req ProposalIDRequest) (*ProposalDetail, error) {
	return cmdProposalShow.remote(c, req)
}

// Treasury implements API.
func (c *Client) Treasury(req SocietyRequest) (*TreasuryInfo, error) {
	return cmdTreasury.remote(c, req)
}

// ProposalRecount implements API.
func (c *Client) ProposalRecount(req ProposalIDRequest) (*governance.Result, error) {
	return cmdProposalRecount.remote(c, req)
}

// ProposalClose implements API.
func (c *Client) ProposalClose(req ProposalIDRequest) (*ProposalInfo, error) {
	return cmdProposalClose.remote(c, req)
}

// Vote implements API.
func (c *Client) Vote(req VoteRequest) (*ProposalInfo, error) { return cmdVote.remote(c, req) }

// Delegate implements API.
func (c *Client) Delegate(req DelegateRequest) error { return cmdDelegate.remoteErr(c, req) }

// Undelegate implements API.
func (c *Client) Undelegate(req DelegateRequest) error { return cmdUndelegate.remoteErr(c, req) }

// Delegations implements API.
func (c *Client) Delegations(req DelegationsRequest) (*DelegationsInfo, error) {
	return cmdDelegations.remote(c, req)
}
