package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/node"
)

// dirScreenOf returns the directory screen of u's main screens.
func dirScreenOf(t *testing.T, u *UI) *directoryScreen {
	t.Helper()
	for _, s := range u.screens {
		if d, ok := s.(*directoryScreen); ok {
			return d
		}
	}
	t.Fatal("no directory screen")
	return nil
}

// setProfile changes a member's profile and brings it to u.
func setProfile(t *testing.T, u *UI, m *member, bio string, skills ...string) {
	t.Helper()
	if err := m.api.SetProfile(node.ProfileRequest{Society: u.Society(), Bio: &bio, Skills: &skills}); err != nil {
		t.Fatal(err)
	}
	m.sync(t, u)
}

// openListings returns the open listings u's node holds.
func openListings(t *testing.T, u *UI) []node.ListingInfo {
	t.Helper()
	ls, err := u.api().Listings(node.ListingsRequest{Society: u.Society()})
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestDirectoryMemberSearch(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	cleo := addMember(t, u, "Cleo")
	setProfile(t, u, ben, "Retired plumber, happy to help.", "Plumbing", "Bike repair")
	setProfile(t, u, cleo, "I teach at the school.", "Tutoring")
	u.ShowTab(3)
	u.Wait()
	s := dirScreenOf(t, u)
	for _, want := range []string{"Ann (you)", "Ben", "Cleo", "Skills: bike repair, plumbing", "Retired plumber", "3 members"} {
		if !hasText(s.memberBox, want) && s.memberNote.Text != want {
			t.Fatalf("members: no %q in %q", want, texts(s.memberBox))
		}
	}
	for _, c := range []struct {
		query string
		want  []string
		note  string
	}{
		{"plumb", []string{"Ben"}, "1 of 3 members match"},
		{"BIKE", []string{"Ben"}, "1 of 3 members match"},
		{"school", []string{"Cleo"}, "1 of 3 members match"},
		{"an", []string{"Ann (you)"}, "1 of 3 members match"},
		{"e", []string{"Ben", "Cleo"}, "2 of 3 members match"},
		{"nobody", nil, "No member matches the search."},
		{"", []string{"Ann (you)", "Ben", "Cleo"}, "3 members"},
	} {
		s.search.SetText(c.query)
		var got []string
		for _, name := range []string{"Ann (you)", "Ben", "Cleo"} {
			if slices.Contains(texts(s.memberBox), name) {
				got = append(got, name)
			}
		}
		if !slices.Equal(got, c.want) || s.memberNote.Text != c.note {
			t.Errorf("search %q: %q, %q; want %q, %q", c.query, got, s.memberNote.Text, c.want, c.note)
		}
	}
	// The copy button puts the full member ID on the clipboard.
	s.search.SetText("plumb")
	test.Tap(button(t, s.memberBox, memberIDShort(ben.id)))
	if got := u.app.Clipboard().Content(); got != ben.id {
		t.Fatalf("clipboard %q, want %q", got, ben.id)
	}
}

func TestDirectoryListings(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	u.ShowTab(3)
	u.Wait()
	s := dirScreenOf(t, u)
	s.tabs.SelectIndex(1)
	if !hasText(s.listingNote, "No offers or requests yet") {
		t.Fatalf("empty directory: %q", s.listingNote.Text)
	}

	// Without a skill nothing is added.
	test.Tap(button(t, s.tabs, "Add offer…"))
	f := s.form
	if f == nil || f.kind != node.KindOffer || overlayTop(u) == nil {
		t.Fatal("no offer form")
	}
	test.Type(f.desc, "Help with your garden beds")
	test.Tap(button(t, overlayTop(u), "Add"))
	u.Wait()
	if !hasText(overlayTop(u), "Choose or type a skill") || len(openListings(t, u)) != 0 {
		t.Fatal("an offer without a skill")
	}
	u.Window().Canvas().Overlays().Remove(overlayTop(u))

	f.skill.SetText("Gardening")
	f.avail.SetText("Weekends")
	test.Type(f.place, "Elm Street 3")
	test.Tap(button(t, overlayTop(u), "Add"))
	u.Wait()
	if top := overlayTop(u); top != nil {
		t.Fatalf("a dialog after adding: %q", texts(top))
	}
	ls := openListings(t, u)
	if len(ls) != 1 || ls[0].Kind != node.KindOffer || ls[0].Skill != "gardening" || ls[0].Description != "Help with your garden beds" ||
		ls[0].Availability != "Weekends" || ls[0].Place != "Elm Street 3" || ls[0].Member != u.Me().MemberID {
		t.Fatalf("listings %+v", ls)
	}
	if !hasText(s.listingBox, "Offer · gardening") || !hasText(s.listingBox, "Available: Weekends") {
		t.Fatalf("listings shown: %q", texts(s.listingBox))
	}

	// Ben's request arrives.
	if _, err := ben.api.AddListing(node.ListingRequest{Society: u.Society(), Kind: node.KindRequest, Skill: "Plumbing",
		Description: "Leaky tap in the kitchen", Place: "Elm Street 9"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if s.listingNote.Text != "2 listings" || !hasText(s.listingBox, "Request · plumbing") || !slices.Contains(s.skill.Options, "plumbing") {
		t.Fatalf("after Ben's request: %q, %q", s.listingNote.Text, texts(s.listingBox))
	}
	// Only one's own listings can be closed.
	if n := len(buttons(s.listingBox, "Close…")); n != 1 {
		t.Fatalf("%d Close buttons, want 1", n)
	}

	// Searches: words, kind, skill.
	search := func(what string, want, notWant string) {
		t.Helper()
		u.Wait()
		if !hasText(s.listingBox, want) || hasText(s.listingBox, notWant) {
			t.Fatalf("%s: %q", what, texts(s.listingBox))
		}
	}
	s.text.SetText("tap")
	search("words", "Leaky tap", "garden beds")
	s.text.SetText("")
	s.kind.SetSelectedIndex(1)
	search("offers", "garden beds", "Leaky tap")
	s.kind.SetSelectedIndex(2)
	search("requests", "Leaky tap", "garden beds")
	s.kind.SetSelectedIndex(0)
	s.skill.SetSelected("gardening")
	search("skill", "garden beds", "Leaky tap")
	s.text.SetText("nothing like this")
	u.Wait()
	if len(s.listingBox.Objects) != 0 || s.listingNote.Text != "Nothing matches the search." {
		t.Fatalf("no match: %q, %q", s.listingNote.Text, texts(s.listingBox))
	}
	s.text.SetText("")
	s.skill.SetSelectedIndex(0)
	u.Wait()

	// Closing asks first; keeping it changes nothing.
	test.Tap(button(t, s.listingBox, "Close…"))
	test.Tap(button(t, overlayTop(u), "Keep it"))
	u.Wait()
	if len(openListings(t, u)) != 2 {
		t.Fatal("a kept listing was closed")
	}
	test.Tap(button(t, s.listingBox, "Close…"))
	test.Tap(button(t, overlayTop(u), "Close listing"))
	u.Wait()
	ls = openListings(t, u)
	if len(ls) != 1 || ls[0].Member != ben.id {
		t.Fatalf("open listings after closing %+v", ls)
	}
	if hasText(s.listingBox, "garden beds") || s.listingNote.Text != "1 listing" {
		t.Fatalf("closed listing still shown: %q", texts(s.listingBox))
	}
	s.closed.SetChecked(true)
	u.Wait()
	if !hasText(s.listingBox, "garden beds") || !hasText(s.listingBox, "Closed") || len(buttons(s.listingBox, "Close…")) != 0 {
		t.Fatalf("with closed listings: %q", texts(s.listingBox))
	}
}

func TestDirectoryEditProfile(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	addMember(t, u, "Ben")
	u.ShowTab(3)
	u.Wait()
	s := dirScreenOf(t, u)
	s.tabs.SelectIndex(2)
	if s.name.Text != "Ann" || s.skills.Text != "" {
		t.Fatalf("profile form %q %q", s.name.Text, s.skills.Text)
	}

	// An empty name is refused.
	s.name.SetText(" ")
	test.Tap(s.save)
	u.Wait()
	if o := overlayTop(u); o != nil || !strings.Contains(s.nameField.problem(), "Enter your name") {
		t.Fatalf("the empty name is not refused next to its field: dialog %v, %q", o != nil, s.nameField.problem())
	}

	s.name.SetText("Annie")
	s.bio.SetText("Gardener and cook.")
	test.Type(s.skills, "gardening, Cooking,gardening, ")
	test.Tap(s.save)
	u.Wait()
	if top := overlayTop(u); top != nil {
		t.Fatalf("a dialog after saving: %q", texts(top))
	}
	ms, err := u.api().Members(node.SocietyRequest{Society: u.Society()})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m node.MemberInfo) bool { return m.ID == u.Me().MemberID })
	if i < 0 || ms[i].Name != "Annie" || ms[i].Bio != "Gardener and cook." || !slices.Equal(ms[i].Skills, []string{"cooking", "gardening"}) {
		t.Fatalf("members %+v", ms)
	}
	if u.Me().Name != "Annie" {
		t.Fatalf("the UI still calls the member %q", u.Me().Name)
	}
	if !hasText(s.memberBox, "Annie (you)") || !hasText(s.memberBox, "Skills: cooking, gardening") ||
		s.skills.Text != "cooking, gardening" {
		t.Fatalf("member list after the edit: %q", texts(s.memberBox))
	}
	// Saving again with nothing changed says so.
	s.skills.SetText("Gardening, cooking")
	test.Tap(s.save)
	u.Wait()
	if !hasText(overlayTop(u), "Your profile is unchanged") {
		t.Fatal("no note when nothing changed")
	}
}

// dirMarkupWorld is a society of Ann, Ben and Cleo with profiles and
// listings, shown by a directory screen alone in a window.
func dirMarkupWorld(t *testing.T) (*directoryScreen, fyne.Window) {
	t.Helper()
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	cleo := addMember(t, u, "Cleo")
	bio, skills := "Gardener and cook.", []string{"Gardening", "Cooking"}
	if err := u.api().SetProfile(node.ProfileRequest{Society: u.Society(), Bio: &bio, Skills: &skills}); err != nil {
		t.Fatal(err)
	}
	setProfile(t, u, ben, "Retired plumber, happy to help.", "Plumbing", "Bike repair")
	setProfile(t, u, cleo, "I teach at the school.", "Tutoring")
	soc := u.Society()
	for _, l := range []struct {
		api node.API
		req node.ListingRequest
	}{
		{u.api(), node.ListingRequest{Kind: node.KindOffer, Skill: "Gardening", Description: "Help with your garden beds", Availability: "Weekends"}},
		{ben.api, node.ListingRequest{Kind: node.KindRequest, Skill: "Tutoring", Description: "Maths for my daughter", Availability: "Evenings", Place: "Elm Street 9"}},
		{cleo.api, node.ListingRequest{Kind: node.KindOffer, Skill: "Tutoring", Description: "Homework club on Wednesdays", Place: "The school"}},
	} {
		l.req.Society = soc
		if _, err := l.api.AddListing(l.req); err != nil {
			t.Fatal(err)
		}
	}
	ben.sync(t, u)
	cleo.sync(t, u)
	solo := newDirectory(u).(*directoryScreen)
	w := soloWindow(t, solo.tab().Content)
	solo.refresh()
	u.Wait()
	return solo, w
}

// TestDirectoryMarkup renders the members, the listings and the profile.
func TestDirectoryMarkup(t *testing.T) {
	s, w := dirMarkupWorld(t)
	test.AssertRendersToMarkup(t, "directory.xml", w.Canvas())
	s.tabs.SelectIndex(1)
	s.u.Wait()
	test.AssertRendersToMarkup(t, "directory_listings.xml", w.Canvas())
	s.tabs.SelectIndex(2)
	test.AssertRendersToMarkup(t, "directory_profile.xml", w.Canvas())
}
