package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/ledger/governance"
)

// fakeAPI is an API that records every call and answers what the test
// set, so that the control socket can be checked method by method
// without a ledger behind it.
type fakeAPI struct {
	mu     sync.Mutex
	calls  []fakeCall
	result any // the next calls' result; nil: the zero value
	err    error
}

// fakeCall is one recorded call: the API method and its argument (nil
// for a method without one).
type fakeCall struct {
	method string
	args   any
}

func (f *fakeAPI) answerWith(result any, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.result, f.err = result, err
}

func (f *fakeAPI) recorded() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

// answer records a call and returns the result and error set.
func answer[R any](f *fakeAPI, method string, args any) (R, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{method, args})
	var r R
	if f.err != nil {
		return r, f.err
	}
	if f.result != nil {
		out, ok := f.result.(R)
		if !ok {
			return r, fmt.Errorf("fake %s: the test set a %T result, want %T", method, f.result, r)
		}
		r = out
	}
	return r, nil
}

// answerErr records a call of a method that returns only an error.
func answerErr(f *fakeAPI, method string, args any) error {
	_, err := answer[struct{}](f, method, args)
	return err
}

func (f *fakeAPI) Status() (*Status, error) { return answer[*Status](f, "Status", nil) }
func (f *fakeAPI) CreateSociety(a string) (*SocietyStatus, error) {
	return answer[*SocietyStatus](f, "CreateSociety", a)
}
func (f *fakeAPI) Invite(a InviteRequest) (*InviteResult, error) {
	return answer[*InviteResult](f, "Invite", a)
}
func (f *fakeAPI) Join(a string) (*JoinResult, error) { return answer[*JoinResult](f, "Join", a) }
func (f *fakeAPI) SetProfile(a ProfileRequest) error  { return answerErr(f, "SetProfile", a) }
func (f *fakeAPI) Export(a ExportRequest) (*ExportResult, error) {
	return answer[*ExportResult](f, "Export", a)
}
func (f *fakeAPI) Import(a string) (*ImportResult, error) {
	return answer[*ImportResult](f, "Import", a)
}
func (f *fakeAPI) RevokeInvite(a RevokeInviteRequest) error { return answerErr(f, "RevokeInvite", a) }
func (f *fakeAPI) Leave(a SocietyRequest) error             { return answerErr(f, "Leave", a) }
func (f *fakeAPI) Remove(a RemoveRequest) error             { return answerErr(f, "Remove", a) }
func (f *fakeAPI) RevokeDevice(a RevokeDeviceRequest) error { return answerErr(f, "RevokeDevice", a) }
func (f *fakeAPI) Members(a SocietyRequest) ([]MemberInfo, error) {
	return answer[[]MemberInfo](f, "Members", a)
}
func (f *fakeAPI) AddListing(a ListingRequest) (string, error) {
	return answer[string](f, "AddListing", a)
}
func (f *fakeAPI) Listings(a ListingsRequest) ([]ListingInfo, error) {
	return answer[[]ListingInfo](f, "Listings", a)
}
func (f *fakeAPI) CloseListing(a CloseListingRequest) error { return answerErr(f, "CloseListing", a) }
func (f *fakeAPI) ProposeTransfer(a TransferRequest) (*TransferInfo, error) {
	return answer[*TransferInfo](f, "ProposeTransfer", a)
}
func (f *fakeAPI) AnswerTransfer(a AnswerRequest) (*TransferInfo, error) {
	return answer[*TransferInfo](f, "AnswerTransfer", a)
}
func (f *fakeAPI) DisputeTransfer(a DisputeRequest) (*TransferInfo, error) {
	return answer[*TransferInfo](f, "DisputeTransfer", a)
}
func (f *fakeAPI) PendingTransfers(a SocietyRequest) ([]PendingInfo, error) {
	return answer[[]PendingInfo](f, "PendingTransfers", a)
}
func (f *fakeAPI) Transfer(a TransferIDRequest) (*TransferInfo, error) {
	return answer[*TransferInfo](f, "Transfer", a)
}
func (f *fakeAPI) Transfers(a TransfersRequest) ([]TransferInfo, error) {
	return answer[[]TransferInfo](f, "Transfers", a)
}
func (f *fakeAPI) Balance(a BalanceRequest) (*BalanceInfo, error) {
	return answer[*BalanceInfo](f, "Balance", a)
}
func (f *fakeAPI) Statement(a StatementRequest) (*StatementInfo, error) {
	return answer[*StatementInfo](f, "Statement", a)
}
func (f *fakeAPI) AddContribution(a ContributionRequest) (*ContributionInfo, error) {
	return answer[*ContributionInfo](f, "AddContribution", a)
}
func (f *fakeAPI) ReviewContribution(a ReviewRequest) (*ContributionInfo, error) {
	return answer[*ContributionInfo](f, "ReviewContribution", a)
}
func (f *fakeAPI) Contributions(a ContributionsRequest) ([]ContributionInfo, error) {
	return answer[[]ContributionInfo](f, "Contributions", a)
}
func (f *fakeAPI) Contribution(a ContributionIDRequest) (*ContributionInfo, error) {
	return answer[*ContributionInfo](f, "Contribution", a)
}
func (f *fakeAPI) CV(a CVRequest) (*CVResult, error) { return answer[*CVResult](f, "CV", a) }
func (f *fakeAPI) Invites(a SocietyRequest) ([]InviteInfo, error) {
	return answer[[]InviteInfo](f, "Invites", a)
}
func (f *fakeAPI) Activity(a ActivityRequest) ([]ActivityItem, error) {
	return answer[[]ActivityItem](f, "Activity", a)
}
func (f *fakeAPI) SetSocietySettings(a SettingsRequest) error {
	return answerErr(f, "SetSocietySettings", a)
}

func (f *fakeAPI) CouncilList(a SocietyRequest) ([]governance.Council, error) {
	return answer[[]governance.Council](f, "CouncilList", a)
}
func (f *fakeAPI) CouncilShow(a CouncilRequest) (*CouncilDetail, error) {
	return answer[*CouncilDetail](f, "CouncilShow", a)
}
func (f *fakeAPI) CouncilJoin(a CouncilRequest) error  { return answerErr(f, "CouncilJoin", a) }
func (f *fakeAPI) CouncilLeave(a CouncilRequest) error { return answerErr(f, "CouncilLeave", a) }
func (f *fakeAPI) ProposalCreate(a ProposalRequest) (*ProposalInfo, error) {
	return answer[*ProposalInfo](f, "ProposalCreate", a)
}
func (f *fakeAPI) ProposalList(a ProposalsRequest) ([]ProposalInfo, error) {
	return answer[[]ProposalInfo](f, "ProposalList", a)
}
func (f *fakeAPI) ProposalShow(a ProposalIDRequest) (*ProposalDetail, error) {
	return answer[*ProposalDetail](f, "ProposalShow", a)
}
func (f *fakeAPI) ProposalRecount(a ProposalIDRequest) (*governance.Result, error) {
	return answer[*governance.Result](f, "ProposalRecount", a)
}
func (f *fakeAPI) ProposalClose(a ProposalIDRequest) (*ProposalInfo, error) {
	return answer[*ProposalInfo](f, "ProposalClose", a)
}
func (f *fakeAPI) Vote(a VoteRequest) (*ProposalInfo, error) {
	return answer[*ProposalInfo](f, "Vote", a)
}
func (f *fakeAPI) Delegate(a DelegateRequest) error   { return answerErr(f, "Delegate", a) }
func (f *fakeAPI) Undelegate(a DelegateRequest) error { return answerErr(f, "Undelegate", a) }
func (f *fakeAPI) Delegations(a DelegationsRequest) (*DelegationsInfo, error) {
	return answer[*DelegationsInfo](f, "Delegations", a)
}
func (f *fakeAPI) Treasury(a SocietyRequest) (*TreasuryInfo, error) {
	return answer[*TreasuryInfo](f, "Treasury", a)
}

var _ API = (*fakeAPI)(nil)

// fill makes a value of type t with every field, element and pointer
// set to a non-zero value derived from seed and its path, so that a field
// lost or swapped on the way shows up as a difference. Fields tagged
// json:"-" are left zero.
func fill(t testing.TB, typ reflect.Type, seed string) reflect.Value {
	t.Helper()
	v := reflect.New(typ).Elem()
	h := fnv.New32a()
	h.Write([]byte(seed))
	n := h.Sum32()%1000 + 1
	switch typ.Kind() {
	case reflect.Struct:
		if typ == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.UnixMilli(int64(n) * 1e9).UTC()))
			break
		}
		for i := range typ.NumField() {
			// Fields kept out of JSON stay zero: they never travel.
			if f := typ.Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
				v.Field(i).Set(fill(t, f.Type, seed+"."+f.Name))
			}
		}
	case reflect.String:
		v.SetString(seed)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n) + 0.5)
	case reflect.Pointer:
		v.Set(fill(t, typ.Elem(), seed).Addr())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(typ, 2, 2))
		for i := range 2 {
			v.Index(i).Set(fill(t, typ.Elem(), fmt.Sprintf("%s[%d]", seed, i)))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(typ))
		v.SetMapIndex(fill(t, typ.Key(), seed+".key"), fill(t, typ.Elem(), seed+".value"))
	default:
		t.Fatalf("fill: no value for %v (%s): teach fill this kind", typ, seed)
	}
	return v
}

// serveControl serves api on the control socket of a home until the test
// ends, and returns a client of it.
func serveControl(t testing.TB, paths Paths, api API) *Client {
	t.Helper()
	srv, err := Listen(paths, api)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		waitServe(t, served)
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	cl, err := Dial(paths)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// serveFake serves a fakeAPI on a control socket in a temporary home
// until the test ends.
func serveFake(t testing.TB) (*fakeAPI, Paths, *Client) {
	t.Helper()
	fake, paths := &fakeAPI{}, Paths{Home: t.TempDir()}
	return fake, paths, serveControl(t, paths, fake)
}

// TestControlTable calls every method of API through a Client, over a
// real socket, to a fake API: the fake sees the same method with equal
// arguments, and the client gets equal results, or the error's message
// as a RemoteError and no result. A method of API without its command
// fails here.
func TestControlTable(t *testing.T) {
	apiType := reflect.TypeFor[API]()
	if len(commands) != apiType.NumMethod() {
		t.Errorf("%d control commands for %d API methods", len(commands), apiType.NumMethod())
	}
	fake, _, cl := serveFake(t)
	client := reflect.ValueOf(cl)
	for i := range apiType.NumMethod() {
		m := apiType.Method(i)
		t.Run(m.Name, func(t *testing.T) {
			var in []reflect.Value
			want := fakeCall{method: m.Name}
			if m.Type.NumIn() == 1 {
				arg := fill(t, m.Type.In(0), m.Name+".args")
				in, want.args = []reflect.Value{arg}, arg.Interface()
			}
			hasResult := m.Type.NumOut() == 2
			var result reflect.Value
			if hasResult {
				result = fill(t, m.Type.Out(0), m.Name+".result")
				fake.answerWith(result.Interface(), nil)
			} else {
				fake.answerWith(nil, nil)
			}
			before := len(fake.recorded())
			call := func() (out reflect.Value, err error) {
				t.Helper()
				res := client.MethodByName(m.Name).Call(in)
				if e := res[len(res)-1].Interface(); e != nil {
					err = e.(error)
				}
				if hasResult {
					out = res[0]
				}
				calls := fake.recorded()
				if len(calls) != before+1 || !reflect.DeepEqual(calls[len(calls)-1], want) {
					t.Fatalf("the served API saw %+v, want one more call %+v", calls[before:], want)
				}
				before++
				return out, err
			}

			out, err := call()
			if err != nil {
				t.Fatalf("%s through the client: %v", m.Name, err)
			}
			if hasResult && !reflect.DeepEqual(out.Interface(), result.Interface()) {
				t.Fatalf("%s result through the client\n got %#v\nwant %#v", m.Name, out.Interface(), result.Interface())
			}

			// An error comes back with its message, as a RemoteError,
			// and with no result.
			failure := fmt.Errorf("fake %s failed: %w", m.Name, ErrNoSociety)
			fake.answerWith(nil, failure)
			out, err = call()
			var re *RemoteError
			if !errors.As(err, &re) || re.Msg != failure.Error() {
				t.Fatalf("%s error through the client: %#v, want a RemoteError %q", m.Name, err, failure)
			}
			if hasResult && !out.IsZero() {
				t.Fatalf("%s gave a result %#v with its error", m.Name, out.Interface())
			}
		})
	}
}

// wireNames are the control socket's command names, which clients of
// older versions send: renaming one breaks them.
var wireNames = map[string]string{
	"Status": "status", "CreateSociety": "society.create", "Invite": "invite",
	"Join": "join", "SetProfile": "profile.set", "Export": "export",
	"Import": "import", "RevokeInvite": "invite.revoke", "Leave": "leave",
	"Remove": "remove", "RevokeDevice": "device.revoke", "Members": "members",
	"AddListing": "listing.add", "Listings": "listing.list", "CloseListing": "listing.close",
	"ProposeTransfer": "hours.propose", "AnswerTransfer": "hours.answer",
	"DisputeTransfer": "hours.dispute", "PendingTransfers": "hours.pending",
	"Transfer": "hours.show", "Transfers": "hours.list", "Balance": "balance",
	"Statement": "statement", "AddContribution": "contrib.add",
	"ReviewContribution": "contrib.review", "Contributions": "contrib.list",
	"Contribution": "contrib.show", "CV": "cv", "Invites": "invite.list",
	"Activity": "activity", "SetSocietySettings": "society.settings",
	"CouncilList": "council.list", "CouncilShow": "council.show", "CouncilJoin": "council.join",
	"CouncilLeave": "council.leave", "ProposalCreate": "proposal.create", "ProposalList": "proposal.list",
	"ProposalShow": "proposal.show", "ProposalRecount": "proposal.recount", "ProposalClose": "proposal.close",
	"Vote": "vote", "Delegate": "delegate", "Undelegate": "undelegate", "Delegations": "delegation.list", "Treasury": "treasury",
}

// rawCall sends one request as JSON text and returns the decoded response.
func rawCall(t testing.TB, paths Paths, req string) response {
	t.Helper()
	conn, err := net.Dial("unix", paths.Socket())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(req + "\n")); err != nil {
		t.Fatal(err)
	}
	// The end of the request, so that a truncated one is answered.
	if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	var resp response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestControlWire speaks the wire protocol directly: every command keeps
// its name and reaches its API method; arguments of the wrong shape and
// unknown commands get an error and call nothing.
func TestControlWire(t *testing.T) {
	fake, paths, _ := serveFake(t)
	apiType := reflect.TypeFor[API]()
	if len(wireNames) != apiType.NumMethod() || len(commands) != len(wireNames) {
		t.Fatalf("%d wire names for %d API methods and %d commands", len(wireNames), apiType.NumMethod(), len(commands))
	}
	for i := range apiType.NumMethod() {
		m := apiType.Method(i)
		cmd, ok := wireNames[m.Name]
		if !ok {
			t.Fatalf("no wire name listed for %s", m.Name)
		}
		t.Run(cmd, func(t *testing.T) {
			want := fakeCall{method: m.Name}
			args := "null"
			if m.Type.NumIn() == 1 {
				arg := fill(t, m.Type.In(0), cmd)
				raw, err := json.Marshal(arg.Interface())
				if err != nil {
					t.Fatal(err)
				}
				args, want.args = string(raw), arg.Interface()
			}
			fake.answerWith(nil, nil)
			before := len(fake.recorded())
			resp := rawCall(t, paths, fmt.Sprintf(`{"cmd":%q,"args":%s}`, cmd, args))
			calls := fake.recorded()
			if resp.Error != "" || len(calls) != before+1 || !reflect.DeepEqual(calls[before], want) {
				t.Fatalf("%s answered %+v; the API saw %+v, want %+v", cmd, resp, calls[before:], want)
			}

			// Arguments of the wrong shape call nothing. Status takes
			// none and ignores them, as it always did.
			resp = rawCall(t, paths, fmt.Sprintf(`{"cmd":%q,"args":[1,2]}`, cmd))
			calls = fake.recorded()
			if m.Type.NumIn() == 0 {
				if resp.Error != "" || len(calls) != before+2 {
					t.Fatalf("%s with ignored arguments answered %+v", cmd, resp)
				}
				return
			}
			if !strings.HasPrefix(resp.Error, "bad arguments") || len(calls) != before+1 {
				t.Fatalf("%s with bad arguments answered %+v; the API saw %+v", cmd, resp, calls[before+1:])
			}
		})
	}

	before := len(fake.recorded())
	for _, req := range []struct{ req, want string }{
		{`{"cmd":"nope","args":null}`, `unknown command "nope"`},
		{`{"cmd":"Balance","args":{}}`, `unknown command "Balance"`},
		{`{"cmd":`, "bad request"},
	} {
		if resp := rawCall(t, paths, req.req); !strings.HasPrefix(resp.Error, req.want) || resp.Result != nil {
			t.Errorf("%s answered %+v, want an error %q", req.req, resp, req.want)
		}
	}
	if calls := fake.recorded(); len(calls) != before {
		t.Fatalf("bad requests reached the API: %+v", calls[before:])
	}
}
