package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// homeUI is fixedUI (helpers_test.go) with times shown in UTC.
func homeUI(t *testing.T, name string) *UI {
	t.Helper()
	old := homeZone
	homeZone = time.UTC
	t.Cleanup(func() { homeZone = old })
	u, _ := fixedUI(t, name)
	return u
}

// homeOf returns u's home screen, shown.
func homeOf(t *testing.T, u *UI) *homeScreen {
	t.Helper()
	u.ShowTab(0)
	u.Wait()
	s, ok := u.screens[0].(*homeScreen)
	if !ok {
		t.Fatalf("the first screen is a %T", u.screens[0])
	}
	return s
}

// give has m propose giving the local member of u minutes of a skill (so
// that u's member pays once they confirm), and brings it to u.
func (m *member) give(t *testing.T, u *UI, minutes int64, skill string) *node.TransferInfo {
	t.Helper()
	ti, err := m.api.ProposeTransfer(node.TransferRequest{Society: u.Society(), Mode: node.ModeGive,
		To: []string{u.Me().MemberID}, Minutes: minutes, Skill: skill})
	if err != nil {
		t.Fatal(err)
	}
	m.sync(t, u)
	return ti
}

// balanceOf reads a member's balance from their node.
func balanceOf(t *testing.T, api node.API, soc string) int64 {
	t.Helper()
	b, err := api.Balance(node.BalanceRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	return b.Minutes
}

// homeDialog returns the dialog on top of u's window, or fails.
func homeDialog(t *testing.T, u *UI) fyne.CanvasObject {
	t.Helper()
	o := u.Window().Canvas().Overlays().Top()
	if o == nil {
		t.Fatal("no dialog is shown")
	}
	return o
}

// TestHomeConfirm is the key test: tapping Confirm on a pending
// transfer changes the balance shown. The screen before is the markup
// golden.
func TestHomeConfirm(t *testing.T) {
	u := homeUI(t, "Ann")
	s := homeOf(t, u)
	w := u.Window()
	for _, want := range []string{"Hello, Ann. Welcome to Elm Street.", "The society allows balances from -20 h to +100 h.",
		"Nothing waits for your answer.", "Ann founded Elm Street"} {
		if !hasText(w.Content(), want) {
			t.Fatalf("home of a new society lacks %q: %q", want, texts(w.Content()))
		}
	}
	if s.balance.Text != "0 h" {
		t.Fatalf("balance of a new member: %q", s.balance.Text)
	}

	ben := addMember(t, u, "Ben")
	ben.give(t, u, 90, "gardening")
	for _, want := range []string{
		"Ben says they gave you 1 h 30 min of gardening.",
		"Confirming changes your balance by -1 h 30 min.",
		"Ben logged 1 h 30 min of gardening given to Ann",
		"Ben joined",
	} {
		if !hasText(w.Content(), want) {
			t.Fatalf("home lacks %q: %q", want, texts(w.Content()))
		}
	}
	if s.pendingCard.Subtitle != "1 transfer" || s.balance.Text != "0 h" {
		t.Fatalf("before confirming: %q, balance %q", s.pendingCard.Subtitle, s.balance.Text)
	}
	test.AssertRendersToMarkup(t, "home.xml", w.Canvas())
	// A service Ann received: Confirm… asks for an optional review, as on
	// the time bank.
	test.Tap(button(t, s.pendingBox, "Confirm…"))
	test.Tap(button(t, topOverlay(t, u), "Confirm"))
	u.Wait()
	if s.balance.Text != "-1 h 30 min" {
		t.Fatalf("balance after confirming: %q", s.balance.Text)
	}
	if !hasText(s.pendingBox, "Nothing waits for your answer.") || !s.answered.Visible() || s.answered.Text != "Confirmed." {
		t.Fatalf("pending after confirming: %q", texts(s.pendingCard))
	}
	if !hasText(s.activityBox, "Ann confirmed 1 h 30 min of gardening with Ben") {
		t.Fatalf("activity after confirming: %q", texts(s.activityBox))
	}
	ben.sync(t, u)
	if b := balanceOf(t, ben.api, u.Society()); b != 90 {
		t.Fatalf("Ben's balance: %d", b)
	}
}

// TestHomeReject: Reject asks for a reason (required) and writes the
// rejection; the balance does not move.
func TestHomeReject(t *testing.T) {
	u := homeUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	ti := ben.give(t, u, 45, "cooking")
	s := homeOf(t, u)
	var d fyne.CanvasObject
	test.Tap(button(t, s.pendingBox, "Reject…"))
	d = homeDialog(t, u)
	if !hasText(d, "Ben says they gave you 45 min of cooking.") {
		t.Fatalf("reject dialog: %q", texts(d))
	}
	// No reason: the dialog's Reject does nothing.
	test.Tap(button(t, d, "Reject"))
	u.Wait()
	if homeDialog(t, u) != d {
		t.Fatal("the dialog closed without a reason")
	}
	es := entries(d)
	if len(es) != 1 {
		t.Fatalf("reject dialog has %d entries", len(es))
	}
	test.Type(es[0], "I was away that day")
	es[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	u.Wait()
	if o := u.Window().Canvas().Overlays().Top(); o != nil {
		t.Fatalf("a dialog is still shown: %q", texts(o))
	}
	if s.balance.Text != "0 h" || !hasText(s.pendingBox, "Nothing waits for your answer.") || s.answered.Text != "Rejected." {
		t.Fatalf("after rejecting: balance %q, %q", s.balance.Text, texts(s.pendingCard))
	}
	if !hasText(s.activityBox, "Ann rejected 45 min of cooking with Ben: I was away that day") {
		t.Fatalf("activity after rejecting: %q", texts(s.activityBox))
	}
	ben.sync(t, u)
	got, err := ben.api.Transfer(node.TransferIDRequest{Society: u.Society(), ID: ti.ID})
	if err != nil || got.Legs[0].State != node.StateRejected || got.Legs[0].Reason != "I was away that day" {
		t.Fatalf("Ben sees %+v, %v", got, err)
	}
}

// TestHomeRefusedConfirm: a confirmation the node refuses (past the
// society's limit) shows an error and changes nothing.
func TestHomeRefusedConfirm(t *testing.T) {
	u := homeUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	ben.give(t, u, 21*60, "building")
	s := homeOf(t, u)
	before, err := u.api().Status()
	if err != nil {
		t.Fatal(err)
	}
	var confirm *widget.Button
	confirm = button(t, s.pendingBox, "Confirm…")
	test.Tap(confirm)
	test.Tap(button(t, topOverlay(t, u), "Confirm"))
	u.Wait()
	after, err := u.api().Status()
	if err != nil {
		t.Fatal(err)
	}
	if after.Societies[0].StateHash != before.Societies[0].StateHash {
		t.Fatal("a refused confirmation wrote something")
	}
	if d := homeDialog(t, u); !hasText(d, "You cannot confirm this transfer") {
		t.Fatalf("error dialog: %q", texts(d))
	}
	if s.balance.Text != "0 h" || confirm.Disabled() || !hasText(s.pendingBox, "21 h of building") {
		t.Fatalf("after the refusal: balance %q, confirm disabled %v, %q", s.balance.Text, confirm.Disabled(), texts(s.pendingBox))
	}
}

// TestHomeLive: records arriving from another member show on the home
// screen; the network card says what is not yet shared.
func TestHomeLive(t *testing.T) {
	u := homeUI(t, "Ann")
	s := homeOf(t, u)
	if !strings.HasPrefix(s.peers.Text, "Offline") || s.progress.Visible() {
		t.Fatalf("network card offline: %q, progress shown %v", s.peers.Text, s.progress.Visible())
	}
	if !s.unshared.Visible() || s.unshared.Text != "1 of your records is not yet shared" {
		t.Fatalf("unshared note after founding: %q (shown %v)", s.unshared.Text, s.unshared.Visible())
	}
	ben := addMember(t, u, "Ben")
	if _, err := ben.api.AddListing(node.ListingRequest{Society: u.Society(), Kind: node.KindOffer, Skill: "bikes", Description: "Flat tyres fixed"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if !hasText(s.activityBox, "Ben offers bikes: Flat tyres fixed") || !hasText(s.activityBox, "Ben joined") {
		t.Fatalf("activity: %q", texts(s.activityBox))
	}
	// Ben's export held all of Ann's records.
	if s.unshared.Visible() {
		t.Fatalf("unshared note after a full exchange: %q", s.unshared.Text)
	}
}
func TestSyncProgressAndUnshared(t *testing.T) {
	net := func(sync node.SyncStatus) *node.NetworkStatus {
		return &node.NetworkStatus{Peers: []node.PeerStatus{{ID: "p"}}, Sync: sync}
	}
	for _, tc := range []struct {
		name     string
		st       *node.Status
		progress float64
		shown    bool
		note     string
	}{
		{"no status", nil, 0, false, ""},
		{"offline", &node.Status{Societies: []node.SocietyStatus{{Unshared: 3}}}, 0, false, "3 of your records are not yet shared"},
		{"idle", &node.Status{Network: net(node.SyncStatus{}), Societies: []node.SocietyStatus{{Unshared: 0}}}, 0, false, ""},
		{"catching up", &node.Status{Network: net(node.SyncStatus{Active: true, Expected: 200, Received: 50}),
			Societies: []node.SocietyStatus{{Unshared: 1}}}, 0.25, true, "1 of your records is not yet shared"},
		{"two societies", &node.Status{Network: net(node.SyncStatus{Active: true, Expected: 10, Received: 10}),
			Societies: []node.SocietyStatus{{Unshared: 2}, {Unshared: 5}}}, 1, true, "7 of your records are not yet shared"},
		{"nothing expected", &node.Status{Network: net(node.SyncStatus{Active: true})}, 0, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := syncProgress(tc.st)
			if p != tc.progress || ok != tc.shown {
				t.Errorf("syncProgress = %v, %v; want %v, %v", p, ok, tc.progress, tc.shown)
			}
			if got := unsharedNote(tc.st); got != tc.note {
				t.Errorf("unsharedNote = %q, want %q", got, tc.note)
			}
		})
	}
}

// TestStatusLine: the status bar's line, with the LAN notice of a phone
// that refuses multicast (node.NetworkStatus.LAN) as a note, not an error.
func TestStatusLine(t *testing.T) {
	peers := []node.PeerStatus{{ID: "p"}}
	for _, tc := range []struct {
		st   *node.Status
		want string
	}{
		{&node.Status{}, "Offline: changes are kept here and shared when a peer is reachable"},
		{&node.Status{Network: &node.NetworkStatus{Peers: peers}}, "Connected to 1 peer"},
		{&node.Status{Network: &node.NetworkStatus{Peers: peers, LAN: "LAN discovery is unavailable on this device: permission denied"},
			Societies: []node.SocietyStatus{{Unshared: 2}}},
			"Connected to 1 peer · LAN discovery is unavailable on this device · 2 of your records are not yet shared"},
	} {
		if got := statusLine(tc.st); got != tc.want {
			t.Errorf("statusLine = %q, want %q", got, tc.want)
		}
	}
}

func TestHomeActivityText(t *testing.T) {
	for _, tc := range []struct {
		it   node.ActivityItem
		want string
	}{
		{node.ActivityItem{Kind: node.ActivityFounded, Name: "Ann", Detail: "Elm Street"}, "Ann founded Elm Street"},
		{node.ActivityItem{Kind: node.ActivityTransfer, Name: "Ben", Mode: node.ModePay, Counterparty: node.CommunityAccount,
			CounterpartyName: node.CommunityAccount, Minutes: 60}, "Ben donated 1 h to the community account"},
		{node.ActivityItem{Kind: node.ActivityTransfer, Name: "Ann", Pool: true, Mode: node.ModePay, CounterpartyName: "Ben",
			Minutes: 30, Skill: "cleaning"}, "Ann paid Ben 30 min of cleaning from the community account"},
		{node.ActivityItem{Kind: node.ActivityTransfer, Name: "Ben", Mode: node.ModePay, CounterpartyName: "Ann, Cleo",
			Minutes: 75, Skill: "music"}, "Ben logged 1 h 15 min of music received from Ann, Cleo"},
		{node.ActivityItem{Kind: node.ActivityDisputed, Name: "Ann", CounterpartyName: "Ben", Minutes: 90, Skill: "bikes", Reverse: true},
			"Ann agreed to reverse 1 h 30 min of bikes with Ben"},
		{node.ActivityItem{Kind: node.ActivityListingClosed, Name: "Ben", Mode: node.KindRequest, Skill: "plumbing"},
			"Ben closed their request for plumbing"},
		{node.ActivityItem{Kind: node.ActivityReview, Name: "Ann", CounterpartyName: "Ben", Skill: "carpentry", Quality: 4, Impact: 5},
			"Ann reviewed the contribution of Ben in carpentry: quality 4/5, impact 5/5"},
		{node.ActivityItem{Kind: node.ActivityRemoved, Name: "Ann", CounterpartyName: "Ben"}, "Ann removed Ben"},
		{node.ActivityItem{Kind: "something new", Text: "Ann did something new"}, "Ann did something new"},
	} {
		if got := homeActivityText(tc.it); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.it.Kind, got, tc.want)
		}
	}
}

// TestConfirmLabels: Home and Time bank label the confirmation of the
// same pending transfer alike, with an ellipsis only when it opens a
// dialog (a review of a service received).
func TestConfirmLabels(t *testing.T) {
	for _, c := range []struct {
		name, mode, want, not string
	}{
		{"service received", node.ModeGive, "Confirm…", "Confirm"},
		{"payment received", node.ModePay, "Confirm", "Confirm…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := homeUI(t, "Ann")
			ben := addMember(t, u, "Ben")
			propose(t, ben.api, c.mode, "Ann", 30, "lessons", "")
			ben.sync(t, u)
			for _, box := range []fyne.CanvasObject{homeOf(t, u).pendingBox, timeBankOf(t, u).pendingBox} {
				button(t, box, c.want)
				if hasButton(box, c.not) {
					t.Fatalf("%q is labelled %q too: %q", c.want, c.not, texts(box))
				}
			}
			test.Tap(button(t, homeOf(t, u).pendingBox, c.want))
			if opened := u.Window().Canvas().Overlays().Top() != nil; opened != strings.HasSuffix(c.want, "…") {
				t.Fatalf("%q opened a dialog: %v", c.want, opened)
			}
		})
	}
}

// hasButton reports whether a visible button below c has exactly text.
func hasButton(c fyne.CanvasObject, text string) bool {
	found := false
	each(c, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			found = true
		}
	})
	return found
}
