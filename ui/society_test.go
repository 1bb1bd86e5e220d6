package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// Tab indexes of the screens tested here.
const (
	societyTab  = 5
	settingsTab = 6
)

// societyOf shows the Society screen of u and returns it.
func societyOf(t *testing.T, u *UI) *societyScreen {
	t.Helper()
	u.ShowTab(societyTab)
	u.Wait()
	s, ok := u.screens[societyTab].(*societyScreen)
	if !ok {
		t.Fatalf("screen %d is a %T", societyTab, u.screens[societyTab])
	}
	return s
}

// topDialog returns the top overlay of u's window (a dialog), or nil.
func topDialog(u *UI) fyne.CanvasObject { return u.win.Canvas().Overlays().Top() }

// expectDialog fails unless a dialog containing text is shown; it then
// closes every dialog.
// expectProblem checks that a form shows text next to field f, and no
// dialog.
func expectProblem(t *testing.T, u *UI, f *field, text string) {
	t.Helper()
	if d := topDialog(u); d != nil {
		t.Fatalf("a dialog %q; want %q next to the field", texts(d), text)
	}
	if got := f.problem(); !strings.Contains(got, text) {
		t.Fatalf("the field says %q; want %q", got, text)
	}
}

func expectDialog(t *testing.T, u *UI, text string) {
	t.Helper()
	d := topDialog(u)
	if d == nil {
		t.Fatalf("no dialog; want one saying %q", text)
	}
	var all []string
	each(d, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			all = append(all, v.Text)
		case *widget.RichText:
			all = append(all, v.String())
		}
	})
	if !slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, text) }) {
		t.Fatalf("dialog says %q; want %q", all, text)
	}
	closeDialogs(u)
}

// closeDialogs removes every overlay of u's window.
func closeDialogs(u *UI) {
	for u.win.Canvas().Overlays().Top() != nil {
		u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())
	}
}

// confirmDialog taps the button of the top dialog named text.
func confirmDialog(t *testing.T, u *UI, text string) {
	t.Helper()
	d := topDialog(u)
	if d == nil {
		t.Fatalf("no dialog to tap %q in", text)
	}
	test.Tap(button(t, d, text))
	u.Wait()
}

func TestSocietyInviteCodeQRCopyRevoke(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := societyOf(t, u)
	if !hasText(s.invites, "No invites yet.") || s.made.Visible() {
		t.Fatalf("invites before any: %q", texts(s.invites))
	}
	s.uses.SetText("3")
	s.days.SetText("2")
	test.Tap(button(t, u.win.Content(), "Create invite"))
	u.Wait()
	if d := topDialog(u); d != nil {
		t.Fatalf("dialog after creating an invite: %q", texts(d))
	}
	code := s.code.Text
	if !strings.HasPrefix(code, "commons1") || !s.made.Visible() {
		t.Fatalf("invite code shown %q (visible %v)", code, s.made.Visible())
	}
	if s.qr.Image == nil || !s.qr.Visible() {
		t.Fatal("no QR code shown")
	}
	if b := s.qr.Image.Bounds(); b.Dx() < 100 || b.Dx() != b.Dy() {
		t.Fatalf("QR image bounds %v", b)
	}
	if sz := s.qr.MinSize(); sz.Width < qrSize || sz.Height < qrSize {
		t.Fatalf("QR min size %v", sz)
	}

	test.Tap(button(t, s.made, "Copy code"))
	if got := u.app.Clipboard().Content(); got != code {
		t.Fatalf("clipboard %q, want the code", got)
	}

	ivs, err := u.api().Invites(node.SocietyRequest{Society: u.Society()})
	if err != nil || len(ivs) != 1 || ivs[0].State != "open" || ivs[0].Uses != 3 {
		t.Fatalf("invites %+v, %v", ivs, err)
	}
	if !hasText(s.invites, "open") || !hasText(s.invites, "used 0 of 3") {
		t.Fatalf("invite list: %q", texts(s.invites))
	}

	// Cancelling the confirmation changes nothing.
	test.Tap(button(t, s.made, "Revoke this invite"))
	confirmDialog(t, u, "Cancel")
	if ivs, _ := u.api().Invites(node.SocietyRequest{Society: u.Society()}); ivs[0].State != "open" {
		t.Fatalf("cancelled revoke changed the state to %q", ivs[0].State)
	}
	test.Tap(button(t, s.invites, "Revoke"))
	confirmDialog(t, u, "Revoke")
	ivs, err = u.api().Invites(node.SocietyRequest{Society: u.Society()})
	if err != nil || len(ivs) != 1 || ivs[0].State != "revoked" {
		t.Fatalf("after revoke: %+v, %v", ivs, err)
	}
	if !hasText(s.invites, "revoked") || !s.revokeMade.Disabled() {
		t.Fatalf("invite list after revoke: %q", texts(s.invites))
	}
	each(s.invites, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Revoke" {
			t.Fatal("a revoked invite still offers Revoke")
		}
	})
}

func TestSocietyInviteOptionsChecked(t *testing.T) {
	for _, tc := range []struct {
		uses, days, msg string
		field           int // the field the problem shows under
	}{
		{"0", "7", "1 to 1000 people", 0},
		{"two", "7", "1 to 1000 people", 0},
		{"1", "0", "1 to 366 days", 1},
		{"1", "400", "1 to 366 days", 1},
	} {
		t.Run(tc.uses+"/"+tc.days, func(t *testing.T) {
			u, _ := fixedUI(t, "Ann")
			s := societyOf(t, u)
			s.uses.SetText(tc.uses)
			s.days.SetText(tc.days)
			test.Tap(button(t, u.win.Content(), "Create invite"))
			u.Wait()
			expectProblem(t, u, s.inviteFields[tc.field], tc.msg)
			if other := s.inviteFields[1-tc.field].problem(); other != "" {
				t.Fatalf("the other field says %q", other)
			}
			if ivs, err := u.api().Invites(node.SocietyRequest{Society: u.Society()}); err != nil || len(ivs) != 0 {
				t.Fatalf("invites %+v, %v", ivs, err)
			}
			if s.made.Visible() {
				t.Fatal("an invite is shown")
			}
		})
	}
}

func TestSocietyMembersFounderMarked(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := societyOf(t, u)
	if len(s.members.Objects) != 2 {
		t.Fatalf("%d member rows", len(s.members.Objects))
	}
	var ann, benRow fyne.CanvasObject
	for _, r := range s.members.Objects {
		switch {
		case hasText(r, "Ann"):
			ann = r
		case hasText(r, "Ben"):
			benRow = r
		}
	}
	if ann == nil || benRow == nil {
		t.Fatalf("members: %q", texts(s.members))
	}
	if !hasText(ann, "founder") || hasText(benRow, "founder") {
		t.Fatalf("founder mark: Ann %q, Ben %q", texts(ann), texts(benRow))
	}
	// One role each: the founder is not listed as a member too.
	if slices.Contains(texts(ann), "member") || !slices.Contains(texts(benRow), "member") {
		t.Fatalf("roles: Ann %q, Ben %q", texts(ann), texts(benRow))
	}
	if !hasText(benRow, abbrevID(ben.id)) || hasText(benRow, ben.id) {
		t.Fatalf("Ben's ID is not shown short: %q", texts(benRow))
	}
	test.Tap(button(t, benRow, "Copy"))
	if got := u.app.Clipboard().Content(); got != ben.id {
		t.Fatalf("clipboard %q, want Ben's ID", got)
	}
	if !hasText(s.summary, "2 members") {
		t.Fatalf("summary %q", s.summary.Text)
	}
}

func TestSocietySettingsFounderOnly(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := societyOf(t, u)
	if s.minH.Text != "-20" || s.maxH.Text != "100" || s.halfLife.Text != "365" {
		t.Fatalf("settings shown %q %q %q", s.minH.Text, s.maxH.Text, s.halfLife.Text)
	}
	if s.minH.Disabled() || !s.saveRules.Visible() {
		t.Fatal("the founder cannot edit the settings")
	}

	// A bad value is refused and changes nothing.
	s.minH.SetText("5")
	s.halfLife.SetText("soon")
	test.Tap(s.saveRules)
	u.Wait()
	expectProblem(t, u, s.rulesFields[0], "lowest balance")
	expectProblem(t, u, s.rulesFields[2], "half-life")
	s.minH.SetText("-10")
	s.halfLife.SetText("180")
	test.Tap(s.saveRules)
	u.Wait()
	if d := topDialog(u); d != nil {
		t.Fatalf("dialog after saving: %q", texts(d))
	}
	st, err := u.api().Status()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Societies[0].Settings; got.MinBalance != -600 || got.MaxBalance != 6000 || got.HalfLifeDays != 180 {
		t.Fatalf("settings after saving %+v", got)
	}

	// Ben sees them, read-only.
	ben.sync(t, u)
	w2 := test.NewTempWindow(t, nil)
	w2.Resize(fyne.NewSize(1000, 700))
	ub := New(u.app, w2, ben.d)
	t.Cleanup(ub.Close)
	ub.Start()
	ub.Wait()
	sb := societyOf(t, ub)
	if sb.minH.Text != "-10" || sb.halfLife.Text != "180" {
		t.Fatalf("Ben sees %q %q", sb.minH.Text, sb.halfLife.Text)
	}
	if !sb.minH.Disabled() || sb.saveRules.Visible() || !hasText(sb.rulesNote, "Only the founder") {
		t.Fatal("Ben may edit the settings")
	}
}

func TestSocietyLANToggle(t *testing.T) {
	u, d := fixedUI(t, "Ann")
	s := societyOf(t, u)
	if s.lan.Checked || d.NetSettings().MDNS {
		t.Fatal("LAN discovery on at the start")
	}
	test.Tap(s.lan)
	u.Wait()
	if !d.NetSettings().MDNS {
		t.Fatal("LAN discovery not turned on")
	}
	test.Tap(s.lan)
	u.Wait()
	if d.NetSettings().MDNS || s.lan.Checked {
		t.Fatal("LAN discovery not turned off")
	}
}

func TestSocietyStaticPeers(t *testing.T) {
	u, d := fixedUI(t, "Ann")
	s := societyOf(t, u)
	good := "/ip4/127.0.0.1/tcp/4001/p2p/" + u.Me().MemberID
	for _, bad := range []string{
		"hello",
		"/ip4/127.0.0.1/tcp/4001",
		"/p2p/" + u.Me().MemberID,
		"/ip4/127.0.0.1/tcp/notaport/p2p/" + u.Me().MemberID,
	} {
		s.newPeer.SetText(bad)
		test.Tap(s.addPeer)
		u.Wait()
		expectDialog(t, u, "address")
		if ps := d.NetSettings().Peers; len(ps) != 0 {
			t.Fatalf("%q added: %q", bad, ps)
		}
	}
	s.newPeer.SetText(good)
	s.newPeer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.Wait()
	if ps := d.NetSettings().Peers; !slices.Equal(ps, []string{good}) {
		t.Fatalf("static peers %q", ps)
	}
	if s.newPeer.Text != "" || !hasText(s.static, good) {
		t.Fatalf("static peers shown %q, entry %q", texts(s.static), s.newPeer.Text)
	}
	// The same address twice is refused.
	s.newPeer.SetText(good)
	test.Tap(s.addPeer)
	u.Wait()
	expectDialog(t, u, "already")
	test.Tap(button(t, s.static, "Remove"))
	u.Wait()
	if ps := d.NetSettings().Peers; len(ps) != 0 || hasText(s.static, good) {
		t.Fatalf("static peers after removing %q", ps)
	}
}

func TestSocietyChooser(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := societyOf(t, u)
	if s.chooser.Visible() {
		t.Fatal("chooser shown with one society")
	}
	first := u.Society()
	oak, err := u.api().CreateSociety("Oak Lane")
	if err != nil {
		t.Fatal(err)
	}
	u.refreshAll()
	u.Wait()
	if !s.chooser.Visible() || len(s.chooser.Options) != 2 || s.chooser.Selected != "Elm Street" {
		t.Fatalf("chooser %v %q selected %q", s.chooser.Visible(), s.chooser.Options, s.chooser.Selected)
	}
	s.createInvite()
	u.Wait()
	if !s.made.Visible() {
		t.Fatal("no invite shown")
	}
	s.chooser.SetSelected("Oak Lane")
	u.Wait()
	if s.made.Visible() {
		t.Fatal("Elm Street's invite is still shown on Oak Lane")
	}
	if u.Society() != oak.ID || s.title.Text != "Oak Lane" {
		t.Fatalf("society %s (title %q), want Oak Lane", u.Society(), s.title.Text)
	}
	s.chooser.SetSelected("Elm Street")
	u.Wait()
	if u.Society() != first {
		t.Fatal("chooser did not switch back")
	}
}

func TestAbbrevID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{"12D3KooWQx7fAbCdEfGhIjK", "Qx7fAbCd…"},
		{"bafyreiabcdefghijklmn", "abcdefgh…"},
		{"zzzzzzzzzzzz", "zzzzzzzz…"},
	} {
		if got := abbrevID(tc.in); got != tc.want {
			t.Errorf("abbrevID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckPeerAddr(t *testing.T) {
	id := "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"/ip4/127.0.0.1/tcp/4001/p2p/" + id, true},
		{"/ip6/::1/udp/4001/quic-v1/p2p/" + id, true},
		{"/dns4/example.org/tcp/4001/p2p/" + id, true},
		{"/ip4/127.0.0.1/tcp/4001", false},
		{"/p2p/" + id, false},
		{"ip4/127.0.0.1", false},
		{"", false},
	} {
		if err := checkPeerAddr(tc.addr); (err == nil) != tc.ok {
			t.Errorf("checkPeerAddr(%q) = %v", tc.addr, err)
		}
	}
}

func TestSocietyMarkup(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := societyOf(t, u)
	// The society ID is a CID (random nonce): hide it.
	s.societyID.label.SetText("society…")
	test.AssertRendersToMarkup(t, "society.xml", u.win.Canvas())
}

func TestSortMembers(t *testing.T) {
	ms := []node.MemberInfo{{ID: "z", Name: "ben"}, {ID: "f", Name: "Zoe"}, {ID: "a", Name: "Cleo"}, {ID: "b", Name: "Ann"}, {ID: "c", Name: "Ben"}}
	var got []string
	for _, m := range sortMembers(ms, "f") {
		got = append(got, m.Name+"/"+m.ID)
	}
	want := []string{"Zoe/f", "Ann/b", "Ben/c", "ben/z", "Cleo/a"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if ms[0].ID != "z" {
		t.Fatal("sortMembers changed its argument")
	}
}
