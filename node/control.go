package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// The control socket speaks one JSON request and one JSON response per
// connection. Only the owner of the home can reach it (mode 0600 in a 0700
// directory).

type request struct {
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args"`
}

type response struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// ErrNotRunning means no process serves the control socket.
var ErrNotRunning = errors.New("node: no running node holds this home")

// Server serves an API on a control socket.
type Server struct {
	ln   net.Listener
	api  API
	wg   sync.WaitGroup
	path string
	quit chan struct{} // closed on shutdown: drops idle connections
	once sync.Once
}

// Listen creates the control socket of a home, replacing a stale one left
// by a process that died. It fails if a live process already serves it.
func Listen(p Paths, api API) (*Server, error) {
	path := p.Socket()
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("node: another process already serves %s", path)
	}
	_ = os.Remove(path)
	old := umask(0o177)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("node: control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("node: control socket: %w", err)
	}
	return &Server{ln: ln, api: api, path: path, quit: make(chan struct{})}, nil
}

// Serve answers requests until ctx ends or Close is called.
func (s *Server) Serve(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		s.ln.Close()
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			s.shutdown()
			s.wg.Wait()
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("node: control socket: %w", err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

// Close stops the server and removes the socket file.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.shutdown()
	s.wg.Wait()
	_ = os.Remove(s.path)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// shutdown closes the connections still open, so that a client that
// never sends its request cannot hold Serve and Close.
func (s *Server) shutdown() { s.once.Do(func() { close(s.quit) }) }

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-s.quit:
			c.Close()
		case <-done:
		}
	}()
	var req request
	dec := json.NewDecoder(io.LimitReader(c, 1<<20))
	var resp response
	if err := dec.Decode(&req); err != nil {
		resp.Error = fmt.Sprintf("bad request: %v", err)
	} else {
		out, err := s.dispatch(req)
		if err != nil {
			resp.Error = err.Error()
		} else if resp.Result, err = json.Marshal(out); err != nil {
			resp.Error = err.Error()
		}
	}
	_ = json.NewEncoder(c).Encode(resp)
}

func decodeArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bad arguments: %w", err)
	}
	return nil
}

func (s *Server) dispatch(req request) (any, error) {
	switch req.Cmd {
	case "status":
		return s.api.Status()
	case "society.create":
		var name string
		if err := decodeArgs(req.Args, &name); err != nil {
			return nil, err
		}
		return s.api.CreateSociety(name)
	case "invite":
		var a InviteRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return s.api.Invite(a)
	case "join":
		var code string
		if err := decodeArgs(req.Args, &code); err != nil {
			return nil, err
		}
		return s.api.Join(code)
	case "profile.set":
		var a ProfileRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.SetProfile(a)
	case "export":
		var a ExportRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return s.api.Export(a)
	case "import":
		var path string
		if err := decodeArgs(req.Args, &path); err != nil {
			return nil, err
		}
		return s.api.Import(path)
	case "invite.revoke":
		var a RevokeInviteRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.RevokeInvite(a)
	case "leave":
		var a SocietyRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.Leave(a)
	case "remove":
		var a RemoveRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.Remove(a)
	case "device.revoke":
		var a RevokeDeviceRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.RevokeDevice(a)
	case "members":
		var a SocietyRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return s.api.Members(a)
	case "listing.add":
		var a ListingRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return s.api.AddListing(a)
	case "listing.list":
		var a ListingsRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return s.api.Listings(a)
	case "listing.close":
		var a CloseListingRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, err
		}
		return struct{}{}, s.api.CloseListing(a)
	}
	if out, ok, err := s.dispatchTimeBank(req); ok {
		return out, err
	}
	if out, ok, err := s.dispatchContrib(req); ok {
		return out, err
	}
	if out, ok, err := s.dispatchApp(req); ok {
		return out, err
	}
	return nil, fmt.Errorf("unknown command %q", req.Cmd)
}

// Client is an API reached over a control socket.
type Client struct{ path string }

// Dial returns a client of the node serving a home, or ErrNotRunning.
func Dial(p Paths) (*Client, error) {
	c, err := net.DialTimeout("unix", p.Socket(), time.Second)
	if err != nil {
		return nil, ErrNotRunning
	}
	c.Close()
	return &Client{path: p.Socket()}, nil
}

// RemoteError is an error reported by the serving node.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

func (c *Client) call(cmd string, args, out any) error {
	conn, err := net.Dial("unix", c.path)
	if err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	defer conn.Close()
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(conn).Encode(request{Cmd: cmd, Args: raw}); err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	var resp response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	if resp.Error != "" {
		return &RemoteError{Msg: resp.Error}
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			return fmt.Errorf("node: control socket: %w", err)
		}
	}
	return nil
}

// Status implements API.
func (c *Client) Status() (*Status, error) {
	var out Status
	return &out, c.call("status", nil, &out)
}

// CreateSociety implements API.
func (c *Client) CreateSociety(name string) (*SocietyStatus, error) {
	var out SocietyStatus
	return &out, c.call("society.create", name, &out)
}

// Invite implements API.
func (c *Client) Invite(req InviteRequest) (*InviteResult, error) {
	var out InviteResult
	return &out, c.call("invite", req, &out)
}

// Join implements API.
func (c *Client) Join(code string) (*JoinResult, error) {
	var out JoinResult
	return &out, c.call("join", code, &out)
}

// SetProfile implements API.
func (c *Client) SetProfile(req ProfileRequest) error { return c.call("profile.set", req, nil) }

// Export implements API.
func (c *Client) Export(req ExportRequest) (*ExportResult, error) {
	var out ExportResult
	return &out, c.call("export", req, &out)
}

// Import implements API.
func (c *Client) Import(path string) (*ImportResult, error) {
	var out ImportResult
	return &out, c.call("import", path, &out)
}

// RevokeInvite implements API.
func (c *Client) RevokeInvite(req RevokeInviteRequest) error {
	return c.call("invite.revoke", req, nil)
}

// Leave implements API.
func (c *Client) Leave(req SocietyRequest) error { return c.call("leave", req, nil) }

// Remove implements API.
func (c *Client) Remove(req RemoveRequest) error { return c.call("remove", req, nil) }

// RevokeDevice implements API.
func (c *Client) RevokeDevice(req RevokeDeviceRequest) error {
	return c.call("device.revoke", req, nil)
}

// Members implements API.
func (c *Client) Members(req SocietyRequest) ([]MemberInfo, error) {
	var out []MemberInfo
	return out, c.call("members", req, &out)
}

// AddListing implements API.
func (c *Client) AddListing(req ListingRequest) (string, error) {
	var out string
	return out, c.call("listing.add", req, &out)
}

// Listings implements API.
func (c *Client) Listings(req ListingsRequest) ([]ListingInfo, error) {
	var out []ListingInfo
	return out, c.call("listing.list", req, &out)
}

// CloseListing implements API.
func (c *Client) CloseListing(req CloseListingRequest) error {
	return c.call("listing.close", req, nil)
}

// Time bank.

// dispatchTimeBank serves the time bank's commands; ok is false for any
// other command.
func (s *Server) dispatchTimeBank(req request) (out any, ok bool, err error) {
	switch req.Cmd {
	case "hours.propose":
		var a TransferRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.ProposeTransfer(a)
	case "hours.answer":
		var a AnswerRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.AnswerTransfer(a)
	case "hours.dispute":
		var a DisputeRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.DisputeTransfer(a)
	case "hours.pending":
		var a SocietyRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.PendingTransfers(a)
	case "hours.show":
		var a TransferIDRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Transfer(a)
	case "hours.list":
		var a TransfersRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Transfers(a)
	case "balance":
		var a BalanceRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Balance(a)
	case "statement":
		var a StatementRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Statement(a)
	default:
		return nil, false, nil
	}
	return out, true, err
}

// ProposeTransfer implements API.
func (c *Client) ProposeTransfer(req TransferRequest) (*TransferInfo, error) {
	var out TransferInfo
	return &out, c.call("hours.propose", req, &out)
}

// AnswerTransfer implements API.
func (c *Client) AnswerTransfer(req AnswerRequest) (*TransferInfo, error) {
	var out TransferInfo
	return &out, c.call("hours.answer", req, &out)
}

// DisputeTransfer implements API.
func (c *Client) DisputeTransfer(req DisputeRequest) (*TransferInfo, error) {
	var out TransferInfo
	return &out, c.call("hours.dispute", req, &out)
}

// PendingTransfers implements API.
func (c *Client) PendingTransfers(req SocietyRequest) ([]PendingInfo, error) {
	var out []PendingInfo
	err := c.call("hours.pending", req, &out)
	return out, err
}

// Transfer implements API.
func (c *Client) Transfer(req TransferIDRequest) (*TransferInfo, error) {
	var out TransferInfo
	return &out, c.call("hours.show", req, &out)
}

// Transfers implements API.
func (c *Client) Transfers(req TransfersRequest) ([]TransferInfo, error) {
	var out []TransferInfo
	err := c.call("hours.list", req, &out)
	return out, err
}

// Balance implements API.
func (c *Client) Balance(req BalanceRequest) (*BalanceInfo, error) {
	var out BalanceInfo
	return &out, c.call("balance", req, &out)
}

// Statement implements API.
func (c *Client) Statement(req StatementRequest) (*StatementInfo, error) {
	var out StatementInfo
	return &out, c.call("statement", req, &out)
}

// Contributions.

// dispatchContrib serves the contribution ledger's commands; ok is false
// for any other command.
func (s *Server) dispatchContrib(req request) (out any, ok bool, err error) {
	switch req.Cmd {
	case "contrib.add":
		var a ContributionRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.AddContribution(a)
	case "contrib.review":
		var a ReviewRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.ReviewContribution(a)
	case "contrib.list":
		var a ContributionsRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Contributions(a)
	case "contrib.show":
		var a ContributionIDRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Contribution(a)
	case "cv":
		var a CVRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.CV(a)
	default:
		return nil, false, nil
	}
	return out, true, err
}

// AddContribution implements API.
func (c *Client) AddContribution(req ContributionRequest) (*ContributionInfo, error) {
	var out ContributionInfo
	return &out, c.call("contrib.add", req, &out)
}

// ReviewContribution implements API.
func (c *Client) ReviewContribution(req ReviewRequest) (*ContributionInfo, error) {
	var out ContributionInfo
	return &out, c.call("contrib.review", req, &out)
}

// Contributions implements API.
func (c *Client) Contributions(req ContributionsRequest) ([]ContributionInfo, error) {
	var out []ContributionInfo
	err := c.call("contrib.list", req, &out)
	return out, err
}

// Contribution implements API.
func (c *Client) Contribution(req ContributionIDRequest) (*ContributionInfo, error) {
	var out ContributionInfo
	return &out, c.call("contrib.show", req, &out)
}

// CV implements API.
func (c *Client) CV(req CVRequest) (*CVResult, error) {
	var out CVResult
	return &out, c.call("cv", req, &out)
}

// App.

// dispatchApp serves the app's commands (node/society.go); ok is false for
// any other command.
func (s *Server) dispatchApp(req request) (out any, ok bool, err error) {
	switch req.Cmd {
	case "invite.list":
		var a SocietyRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Invites(a)
	case "activity":
		var a ActivityRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = s.api.Activity(a)
	case "society.settings":
		var a SettingsRequest
		if err := decodeArgs(req.Args, &a); err != nil {
			return nil, true, err
		}
		out, err = struct{}{}, s.api.SetSocietySettings(a)
	default:
		return nil, false, nil
	}
	return out, true, err
}

// Invites implements API.
func (c *Client) Invites(req SocietyRequest) ([]InviteInfo, error) {
	var out []InviteInfo
	err := c.call("invite.list", req, &out)
	return out, err
}

// Activity implements API.
func (c *Client) Activity(req ActivityRequest) ([]ActivityItem, error) {
	var out []ActivityItem
	err := c.call("activity", req, &out)
	return out, err
}

// SetSocietySettings implements API.
func (c *Client) SetSocietySettings(req SettingsRequest) error {
	return c.call("society.settings", req, nil)
}

var _ API = (*Client)(nil)
