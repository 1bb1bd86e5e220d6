package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"
)

// TestInvites: the invites a device made, newest first, in each state.
func TestInvites(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	// found used one invite (Bob's); make one of each other state.
	open, err := alice.Invite(InviteRequest{Uses: 3, ExpiresHours: 24 * 30})
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := alice.Invite(InviteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.RevokeInvite(RevokeInviteRequest{Invite: revoked.Invite}); err != nil {
		t.Fatal(err)
	}
	short, err := alice.Invite(InviteRequest{ExpiresHours: 1})
	if err != nil {
		t.Fatal(err)
	}
	clock.mu.Lock()
	clock.t = clock.t.Add(2 * time.Hour)
	clock.mu.Unlock()

	invs, err := alice.Invites(SocietyRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 4 {
		t.Fatalf("Alice's invites: %+v, want 4", invs)
	}
	for _, tc := range []struct {
		i          int
		id, state  string
		uses, used uint64
	}{
		{0, short.Invite, InviteExpired, 1, 0},
		{1, revoked.Invite, InviteRevoked, 1, 0},
		{2, open.Invite, InviteOpen, 3, 0},
		{3, "", InviteUsedUp, 1, 1},
	} {
		got := invs[tc.i]
		if (tc.id != "" && got.ID != tc.id) || got.State != tc.state || got.Uses != tc.uses || got.Used != tc.used ||
			got.Revoked != (tc.state == InviteRevoked) {
			t.Errorf("invite %d: %+v, want %s %s %d/%d", tc.i, got, tc.id, tc.state, tc.used, tc.uses)
		}
		if _, err := time.Parse(time.RFC3339, got.Created); err != nil {
			t.Errorf("invite %d: created %q: %v", tc.i, got.Created, err)
		}
	}
	got, err1 := time.Parse(time.RFC3339, invs[2].Expires)
	said, err2 := time.Parse(time.RFC3339, open.Expires)
	if err1 != nil || err2 != nil || !got.Truncate(time.Second).Equal(said) {
		t.Errorf("expiry %q, the invite said %q", invs[2].Expires, open.Expires)
	}
	// Only this device's invites are listed.
	if bi, err := bob.Invites(SocietyRequest{Society: soc}); err != nil || len(bi) != 0 {
		t.Fatalf("Bob's invites: %+v, %v", bi, err)
	}
}

// TestActivity: one item per record that matters, newest first, with the
// parties' names, amounts and skills.
func TestActivity(t *testing.T) {
	w := newContribWorld(t)
	alice, bob := w.ps["Alice"], w.ps["Bob"]
	bio := "I fix bikes"
	if err := bob.SetProfile(ProfileRequest{Society: w.soc, Bio: &bio, Skills: &[]string{"bikes"}}); err != nil {
		t.Fatal(err)
	}
	lid, err := bob.AddListing(ListingRequest{Society: w.soc, Kind: KindOffer, Skill: "bikes", Description: "Bike repair"})
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.CloseListing(CloseListingRequest{Society: w.soc, ID: lid}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.AddListing(ListingRequest{Society: w.soc, Kind: KindRequest, Skill: "plumbing", Description: "A leaking tap"}); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	give, err := bob.ProposeTransfer(TransferRequest{Society: w.soc, Mode: ModeGive, To: []string{"Alice"}, Minutes: 90, Skill: "bikes"})
	if err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if _, err := alice.AnswerTransfer(AnswerRequest{Society: w.soc, ID: give.ID, Accept: true}); err != nil {
		t.Fatal(err)
	}
	pay, err := bob.ProposeTransfer(TransferRequest{Society: w.soc, Mode: ModePay, To: []string{"Carol"}, Minutes: 30, Skill: "cooking"})
	if err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if _, err := w.ps["Carol"].AnswerTransfer(AnswerRequest{Society: w.soc, ID: pay.ID, Reason: "not me"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ProposeTransfer(TransferRequest{Society: w.soc, Mode: ModePay, To: []string{CommunityAccount}, Minutes: 60, Skill: "gift"}); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if _, err := bob.DisputeTransfer(DisputeRequest{Society: w.soc, ID: give.ID, Reason: "it was 60 minutes"}); err != nil {
		t.Fatal(err)
	}
	ci := w.add(t, "Bob", ContributionRequest{What: "Fixed the shed door", Skill: "carpentry", Minutes: 120})
	w.review(t, "Alice", ReviewRequest{ID: ci.ID, Quality: 4, Impact: 5})
	// Three members decide their settings together: the founder alone
	// is refused, and nothing is written.
	if err := alice.SetSocietySettings(SettingsRequest{Society: w.soc, MinBalanceMinutes: ptr(int64(-600))}); !errors.Is(err, ErrCouncilDecides) {
		t.Fatalf("the founder alone changed the settings of three members: %v", err)
	}
	if _, err := alice.Invite(InviteRequest{Society: w.soc}); err != nil { // technical: no item
		t.Fatal(err)
	}
	w.sync(t)

	want := []struct{ kind, text string }{
		{ActivityReview, "Alice reviewed Bob's contribution in carpentry: quality 4/5, impact 5/5"},
		{ActivityContribution, "Bob contributed 2 h of carpentry: Fixed the shed door"},
		{ActivityDisputed, "Bob disputed 1 h 30 min of bikes with Alice: it was 60 minutes"},
		{ActivityTransfer, "Bob donated 1 h to the community account"},
		{ActivityRejected, "Carol rejected 30 min of cooking with Bob: not me"},
		{ActivityTransfer, "Bob received 30 min of cooking from Carol (to be confirmed)"},
		{ActivityConfirmed, "Alice confirmed 1 h 30 min of bikes with Bob"},
		{ActivityTransfer, "Bob gave 1 h 30 min of bikes to Alice (to be confirmed)"},
		{ActivityRequested, "Alice asks for plumbing: A leaking tap"},
		{ActivityListingClosed, "Bob closed their offer of bikes"},
		{ActivityOffered, "Bob offers bikes: Bike repair"},
		{ActivityProfile, "Bob updated their profile (bio, skills)"},
		{ActivityJoined, "Carol joined"},
		{ActivityJoined, "Bob joined"},
		{ActivityFounded, "Alice founded Garden"},
	}
	for _, p := range w.all {
		items, err := p.Activity(ActivityRequest{Society: w.soc, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Kind+": "+it.Text)
		}
		var exp []string
		for _, x := range want {
			exp = append(exp, x.kind+": "+x.text)
		}
		if !slices.Equal(got, exp) {
			t.Fatalf("%s's activity:\n  %s\nwant:\n  %s", p.name, strings.Join(got, "\n  "), strings.Join(exp, "\n  "))
		}
		for i := 1; i < len(items); i++ {
			if items[i].Time > items[i-1].Time {
				t.Fatalf("not newest first: %s after %s", items[i].Time, items[i-1].Time)
			}
		}
	}

	items, err := alice.Activity(ActivityRequest{Society: w.soc, Limit: 9})
	if err != nil || len(items) != 9 {
		t.Fatalf("limit 9: %d items, %v", len(items), err)
	}
	// Structured fields, for front ends that say it their own way.
	for _, tc := range []struct {
		i                              int
		member, name, cp, cpName, mode string
		minutes                        int64
		skill                          string
	}{
		{2, w.id("Bob"), "Bob", w.id("Alice"), "Alice", ModeGive, 90, "bikes"},
		{3, w.id("Bob"), "Bob", CommunityAccount, CommunityAccount, ModePay, 60, "gift"},
		{6, w.id("Alice"), "Alice", w.id("Bob"), "Bob", ModeGive, 90, "bikes"},
		{7, w.id("Bob"), "Bob", w.id("Alice"), "Alice", ModeGive, 90, "bikes"},
	} {
		it := items[tc.i]
		if it.Member != tc.member || it.Name != tc.name || it.Counterparty != tc.cp || it.CounterpartyName != tc.cpName ||
			it.Mode != tc.mode || it.Minutes != tc.minutes || it.Skill != tc.skill {
			t.Errorf("item %d: %+v", tc.i, it)
		}
		if _, err := cid.Decode(it.ID); err != nil {
			t.Errorf("item %d: ID %q: %v", tc.i, it.ID, err)
		}
		if _, err := time.Parse(time.RFC3339, it.Time); err != nil {
			t.Errorf("item %d: time %q: %v", tc.i, it.Time, err)
		}
	}
	if _, err := alice.Activity(ActivityRequest{Society: "nonsense"}); !errors.Is(err, ErrNoSociety) {
		t.Fatalf("unknown society: %v", err)
	}
}

// TestSetSocietySettings: the founder changes the settings, which every
// peer then shows; others are refused and nothing is written.
func TestSetSocietySettings(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	if s := alice.society(t, soc); !s.Founder || s.FounderID != alice.id.MemberID() || s.Settings != membership.DefaultSettings() {
		t.Fatalf("Alice's status: %+v", s)
	}
	if s := bob.society(t, soc); s.Founder || s.FounderID != alice.id.MemberID() {
		t.Fatalf("Bob's status: %+v", s)
	}
	for _, tc := range []struct {
		name string
		p    *peer
		req  SettingsRequest
		want error // nil: any error
	}{
		{"not the founder", bob, SettingsRequest{MinBalanceMinutes: ptr(int64(-60))}, ErrNotFounder},
		{"nothing to change", alice, SettingsRequest{}, nil},
		{"minimum above zero", alice, SettingsRequest{MinBalanceMinutes: ptr(int64(60))}, ErrBadSettings},
		{"maximum below zero", alice, SettingsRequest{MaxBalanceMinutes: ptr(int64(-60))}, ErrBadSettings},
		{"beyond 1000 h", alice, SettingsRequest{MaxBalanceMinutes: ptr(int64(1001 * 60))}, ErrBadSettings},
		{"no half-life", alice, SettingsRequest{HalfLifeDays: ptr(uint64(0))}, ErrBadSettings},
		{"unknown society", alice, SettingsRequest{Society: "bafynothing", HalfLifeDays: ptr(uint64(30))}, ErrNoSociety},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.req.Society == "" {
				tc.req.Society = soc
			}
			before := tc.p.society(t, soc)
			err := tc.p.SetSocietySettings(tc.req)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := tc.p.society(t, soc); after.StateHash != before.StateHash {
				t.Fatal("a refused change wrote something")
			}
		})
	}

	before := alice.society(t, soc)
	if err := alice.SetSocietySettings(SettingsRequest{Society: soc, MinBalanceMinutes: ptr(int64(-300)), HalfLifeDays: ptr(uint64(90))}); err != nil {
		t.Fatal(err)
	}
	want := membership.Settings{MinBalance: -300, MaxBalance: 100 * 60, HalfLifeDays: 90}
	after := alice.society(t, soc)
	if after.Settings != want || after.Records != before.Records+1 {
		t.Fatalf("after the change: %+v", after)
	}
	// The same settings again write nothing.
	if err := alice.SetSocietySettings(SettingsRequest{Society: soc, HalfLifeDays: ptr(uint64(90))}); err != nil {
		t.Fatal(err)
	}
	if again := alice.society(t, soc); again.Records != after.Records {
		t.Fatal("unchanged settings wrote a record")
	}
	bob.pull(t, alice, soc)
	if s := bob.society(t, soc); s.Settings != want {
		t.Fatalf("Bob sees %+v", s.Settings)
	}
	b, err := bob.Balance(BalanceRequest{Society: soc})
	if err != nil || b.MinMinutes != -300 {
		t.Fatalf("Bob's balance limits: %+v, %v", b, err)
	}
}

// TestUnsharedOffline: without a network, records count as shared once a
// CAR file from another peer held them.
func TestUnsharedOffline(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	// found: Alice's records reached Bob, whose export Alice imported
	// before admitting him; her admission and later records did not come
	// back yet.
	steps := []struct {
		name string
		do   func(t *testing.T)
		want int
	}{
		{"after found", func(t *testing.T) {}, 1},
		{"Bob's export back", func(t *testing.T) { alice.pull(t, bob, soc) }, 0},
		{"two new records", func(t *testing.T) {
			for _, skill := range []string{"a", "b"} {
				if _, err := alice.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: skill}); err != nil {
					t.Fatal(err)
				}
			}
		}, 2},
		{"exported to Bob only", func(t *testing.T) { bob.pull(t, alice, soc) }, 2},
		{"Bob's export back again", func(t *testing.T) { alice.pull(t, bob, soc) }, 0},
	}
	for _, s := range steps {
		s.do(t)
		if got := alice.society(t, soc).Unshared; got != s.want {
			t.Fatalf("%s: %d unshared, want %d", s.name, got, s.want)
		}
	}
	// A restart keeps what is known: the count stays, and new records
	// count again.
	n := reopen(t, alice)
	if got := unsharedOf(t, n); got != 0 {
		t.Fatalf("reopened: %d unshared, want 0", got)
	}
	if _, err := n.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: "c"}); err != nil {
		t.Fatal(err)
	}
	if got := unsharedOf(t, n); got != 1 {
		t.Fatalf("reopened, one new record: %d unshared, want 1", got)
	}
}

// reopen closes a peer's node and opens its home again.
func reopen(t testing.TB, p *peer) *Node {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := Open(p.home, p.id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// unsharedOf is the unshared count of a node's only society.
func unsharedOf(t testing.TB, n *Node) int {
	t.Helper()
	st, err := n.Status()
	if err != nil || len(st.Societies) != 1 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	return st.Societies[0].Unshared
}

// TestSharedFile: shared.json is written when a value grows (not when it
// does not), a file about another device or a damaged one counts nothing,
// and failing to write it is not an error.
func TestSharedFile(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	path := Paths{Home: alice.home}.Shared()
	alice.pull(t, bob, soc)
	if alice.society(t, soc).Unshared != 0 {
		t.Fatal("Bob's export did not count as sharing")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f sharedFile
	if err := json.Unmarshal(b, &f); err != nil || f.Device != alice.id.DeviceID() || len(f.Societies) != 1 || f.Societies[soc] == 0 {
		t.Fatalf("shared.json: %s (%v)", b, err)
	}
	// Nothing new: the file is not written again.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	alice.pull(t, bob, soc)
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("shared.json rewritten without a change: %v, %v", fi.ModTime(), err)
	}
	if _, err := alice.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: "a"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		content string
	}{
		{"damaged", "{not json"},
		{"another device", `{"device": "someone-else", "societies": {"` + soc + `": 1000}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var s sharedSeqs
			s.load(path, alice.id.DeviceID())
			if len(s.seq) != 0 {
				t.Fatalf("loaded %v", s.seq)
			}
		})
	}

	// A file that cannot be written (a directory in its place) does not
	// stop the node: the count is right until it restarts.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	bob.pull(t, alice, soc)
	alice.pull(t, bob, soc)
	if got := alice.society(t, soc).Unshared; got != 0 {
		t.Fatalf("with shared.json unwritable: %d unshared, want 0", got)
	}
	n := reopen(t, alice)
	head, err := n.Store().Head(mustCID(t, soc), alice.id.DevicePublic())
	if err != nil {
		t.Fatal(err)
	}
	if got := unsharedOf(t, n); got != int(head.Seq) {
		t.Fatalf("reopened with shared.json unreadable: %d unshared, want all %d", got, head.Seq)
	}
}

// TestSyncTracker: the catch-up status sums the sessions that bring
// records in, and sessions note which of this device's records the peer
// holds.
func TestSyncTracker(t *testing.T) {
	p := newPeer(t, "Alice", Options{})
	s, err := p.CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	soc, _ := cid.Decode(s.ID)
	for _, skill := range []string{"a", "b", "c"} {
		if _, err := p.AddListing(ListingRequest{Kind: KindOffer, Skill: skill}); err != nil {
			t.Fatal(err)
		}
	}
	dev := string(p.id.DevicePublic())
	var tr syncTracker
	ours := map[string]uint64{dev: 4}
	steps := []struct {
		name     string
		p        recsync.Progress
		want     SyncStatus
		unshared int
	}{
		{"a session starts", recsync.Progress{Session: 1, Society: soc, Ours: ours, Theirs: map[string]uint64{dev: 1}, Expected: 100, Missing: 3},
			SyncStatus{Active: true, Expected: 100}, 3},
		{"another, with nothing to bring", recsync.Progress{Session: 2, Society: soc, Ours: ours, Theirs: map[string]uint64{dev: 2}},
			SyncStatus{Active: true, Expected: 100}, 2},
		{"a third", recsync.Progress{Session: 3, Society: soc, Ours: ours, Expected: 50, Missing: 4},
			SyncStatus{Active: true, Expected: 150}, 2},
		{"records arrive", recsync.Progress{Session: 1, Society: soc, Ours: ours, Theirs: map[string]uint64{dev: 1}, Expected: 100, Missing: 3, Received: 40},
			SyncStatus{Active: true, Expected: 150, Received: 40}, 2},
		{"the second ends", recsync.Progress{Session: 2, Society: soc, Done: true},
			SyncStatus{Active: true, Expected: 150, Received: 40}, 2},
		{"the third fails", recsync.Progress{Session: 3, Society: soc, Ours: ours, Expected: 50, Missing: 4, Sent: 4, Done: true, Err: errors.New("cut")},
			SyncStatus{Active: true, Expected: 100, Received: 40}, 2},
		{"the first completes", recsync.Progress{Session: 1, Society: soc, Ours: ours, Theirs: map[string]uint64{dev: 1}, Expected: 100, Missing: 3, Sent: 3, Received: 100, Done: true},
			SyncStatus{}, 0},
	}
	for _, s := range steps {
		p.progress(&tr, s.p)
		if got := tr.status(); got != s.want {
			t.Fatalf("%s: %+v, want %+v", s.name, got, s.want)
		}
		if got := p.society(t, soc.String()).Unshared; got != s.unshared {
			t.Fatalf("%s: %d unshared, want %d", s.name, got, s.unshared)
		}
	}
}

// TestSyncStatusOverNetwork: two members' nodes on a mock network (in
// memory): after a catch-up, no sync shows as active and each side knows
// the other holds its records.
func TestSyncStatusOverNetwork(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	for i := range 30 {
		if _, err := alice.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: fmt.Sprintf("skill %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.AddListing(ListingRequest{Society: soc, Kind: KindRequest, Skill: "help"}); err != nil {
		t.Fatal(err)
	}
	if a, b := alice.society(t, soc).Unshared, bob.society(t, soc).Unshared; a < 30 || b < 1 {
		t.Fatalf("before the network: %d and %d unshared", a, b)
	}
	mn := mockNetwork(t, ps...)
	if st, err := alice.Status(); err != nil || st.Network == nil || st.Network.Sync.Active {
		t.Fatalf("before connecting: %+v, %v", st, err)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, b := alice.society(t, soc), bob.society(t, soc)
		sa, err := alice.Status()
		if err != nil {
			t.Fatal(err)
		}
		sb, err := bob.Status()
		if err != nil {
			t.Fatal(err)
		}
		if a.StateHash == b.StateHash && a.Unshared == 0 && b.Unshared == 0 && !sa.Network.Sync.Active && !sb.Network.Sync.Active {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no quiet catch-up: Alice %+v %+v, Bob %+v %+v", a, sa.Network.Sync, b, sb.Network.Sync)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mockNetwork starts the peers' networks on an in-memory mock network,
// linked and connected by the caller; periodic syncs are an hour apart.
func mockNetwork(t testing.TB, ps ...*peer) mocknet.Mocknet {
	t.Helper()
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for i, p := range ps {
		priv, err := crypto.UnmarshalEd25519PrivateKey(p.id.Device)
		if err != nil {
			t.Fatal(err)
		}
		h, err := mn.AddPeer(priv, ma.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 41001+i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.StartNetworkOn(ctx, h, NetConfig{SyncInterval: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	return mn
}

// TestAppControlSocket: the app's calls answer the same over the control
// socket as in process.
func TestAppControlSocket(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	var api API = serveControl(t, Paths{Home: alice.home}, alice)
	if err := api.SetSocietySettings(SettingsRequest{Society: soc, MaxBalanceMinutes: ptr(int64(50 * 60))}); err != nil {
		t.Fatal(err)
	}
	if s := alice.society(t, soc); s.Settings.MaxBalance != 50*60 {
		t.Fatalf("settings after the change over the socket: %+v", s.Settings)
	}
	if err := api.SetSocietySettings(SettingsRequest{Society: soc, HalfLifeDays: ptr(uint64(0))}); err == nil ||
		!strings.Contains(err.Error(), "half-life") {
		t.Fatalf("bad settings over the socket: %v", err)
	}
	if _, err := api.Invite(InviteRequest{Society: soc}); err != nil {
		t.Fatal(err)
	}
	bob.pull(t, alice, soc)
	if _, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: ModeGive, To: []string{"Alice"}, Minutes: 45, Skill: "baking"}); err != nil {
		t.Fatal(err)
	}
	alice.pull(t, bob, soc)
	clock.hold()
	for _, c := range []struct {
		name          string
		remote, local func() (any, error)
	}{
		{"Invites", func() (any, error) { return api.Invites(SocietyRequest{Society: soc}) },
			func() (any, error) { return alice.Invites(SocietyRequest{Society: soc}) }},
		{"Activity", func() (any, error) { return api.Activity(ActivityRequest{Society: soc}) },
			func() (any, error) { return alice.Activity(ActivityRequest{Society: soc}) }},
		{"Activity limited", func() (any, error) { return api.Activity(ActivityRequest{Society: soc, Limit: 2}) },
			func() (any, error) { return alice.Activity(ActivityRequest{Society: soc, Limit: 2}) }},
		{"Status", func() (any, error) { return api.Status() }, func() (any, error) { return alice.Status() }},
	} {
		got, err := c.remote()
		if err != nil {
			t.Fatalf("%s over the socket: %v", c.name, err)
		}
		want, err := c.local()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s over the socket:\n got %+v\nwant %+v", c.name, got, want)
		}
	}
	items, _ := api.Activity(ActivityRequest{Society: soc, Limit: 2})
	if len(items) != 2 || items[0].Text != "Bob gave 45 min of baking to Alice (to be confirmed)" || items[1].Kind != ActivitySettings {
		t.Fatalf("activity over the socket: %+v", items)
	}
}
