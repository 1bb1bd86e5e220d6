package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

func TestFirstRunCreateIdentityAndSociety(t *testing.T) {
	u, d := newTestUI(t)
	u.Start()
	w := u.Window()
	test.Tap(button(t, w.Content(), "Create my identity"))
	es := entries(w.Content())
	if len(es) != 3 {
		t.Fatalf("create form has %d entries", len(es))
	}
	test.Type(es[0], "Ann")
	test.Type(es[1], "short")
	test.Type(es[2], "short")
	test.Tap(button(t, w.Content(), "Create"))
	u.Wait()
	if d.HasIdentity() {
		t.Fatal("a short passphrase was accepted")
	}
	if o := w.Canvas().Overlays().Top(); o != nil || !hasText(w.Content(), "at least 8 characters") {
		t.Fatalf("the short passphrase is not refused next to its field: dialog %v, %q", o != nil, texts(w.Content()))
	}
	es[1].SetText(testPassphrase)
	es[2].SetText(testPassphrase)
	test.Tap(button(t, w.Content(), "Create"))
	u.Wait()
	if !d.HasIdentity() {
		t.Fatal("no identity after Create")
	}

	// The recovery phrase is shown; three of its words are asked back.
	words := map[int]string{}
	each(w.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			var k int
			var word string
			if n, _ := fmt.Sscanf(l.Text, "%d. %s", &k, &word); n == 2 {
				words[k] = word
			}
		}
	})
	if len(words) != 24 {
		t.Fatalf("phrase screen shows %d words", len(words))
	}
	// It can be shown again (Settings, Show recovery phrase): the screen
	// must not say it is shown once.
	if !hasText(w.Content(), "show them again later in Settings") || hasText(w.Content(), "shown once") {
		t.Fatalf("the phrase screen does not say where to see the phrase again: %q", texts(w.Content()))
	}
	var asked []int
	each(w.Content(), func(o fyne.CanvasObject) {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				var k int
				if _, err := fmt.Sscanf(it.Text, "Word %d", &k); err == nil {
					asked = append(asked, k)
				}
			}
		}
	})
	if len(asked) != PhraseCheckWords {
		t.Fatalf("asked for words %v", asked)
	}
	es = entries(w.Content())
	for i := range asked {
		test.Type(es[i], "wrong")
	}
	test.Tap(button(t, w.Content(), "I wrote it down"))
	if u.Tabs() != nil || !hasText(w.Content(), "24 words") {
		t.Fatal("a wrong word moved past the phrase screen")
	}
	phrase, err := d.RecoveryPhrase([]byte(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Fields(phrase)
	for i, k := range asked {
		es[i].SetText(all[k-1])
	}
	test.Tap(button(t, w.Content(), "I wrote it down"))
	u.Wait()

	// No society yet: found one.
	if !hasText(w.Content(), "Found a new society") {
		t.Fatalf("society choice not shown: %q", texts(w.Content()))
	}
	test.Type(entries(w.Content())[0], "Elm Street")
	test.Tap(button(t, w.Content(), "Found the society"))
	u.Wait()
	if u.Tabs() == nil || u.Society() == "" {
		t.Fatal("main screens not shown after founding a society")
	}
	st, err := d.API().Status()
	if err != nil || len(st.Societies) != 1 || st.Societies[0].Name != "Elm Street" {
		t.Fatalf("status %+v, %v", st, err)
	}
}

func TestUnlockWrongPassphrase(t *testing.T) {
	u, d := newTestUI(t)
	if _, err := d.Create("Ann", []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	u.Start()
	w := u.Window()
	if !hasText(w.Content(), "Welcome back, Ann") {
		t.Fatalf("unlock screen: %q", texts(w.Content()))
	}
	test.Type(entries(w.Content())[0], "not the passphrase")
	test.Tap(button(t, w.Content(), "Unlock"))
	u.Wait()
	if d.API() != nil {
		t.Fatal("a wrong passphrase unlocked the node")
	}
	e := entries(w.Content())[0]
	e.SetText(testPassphrase)
	test.Tap(button(t, w.Content(), "Unlock"))
	u.Wait()
	if d.API() == nil {
		t.Fatal("the right passphrase did not unlock the node")
	}
}

func TestTestHelpersAddMember(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	ms, err := u.api().Members(node.SocietyRequest{Society: u.Society()})
	if err != nil || len(ms) != 2 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	if u.Me().MemberID == ben.id {
		t.Fatal("same member")
	}
	// Restored identities have fixed member IDs.
	u2, _ := fixedUI(t, "Ann")
	if u2.Me().MemberID != u.Me().MemberID {
		t.Fatal("a fixed phrase gave two member IDs")
	}
}

// TestIdentityFieldChecks: the create and restore forms show each problem
// under its own field, all at once.
func TestIdentityFieldChecks(t *testing.T) {
	for _, c := range []struct {
		name, p1, p2 string
		ok           bool
		says         [3]string // under Name, Passphrase, Again
	}{
		{"Ann", testPassphrase, testPassphrase, true, [3]string{}},
		{" ", "short", "short", false, [3]string{"Enter your name", "at least 8 characters", ""}},
		{"Ann", testPassphrase, "something else", false, [3]string{"", "", "differ"}},
		{"", testPassphrase, testPassphrase, false, [3]string{"Enter your name", "", ""}},
	} {
		fs := identityFields{newField(widget.NewEntry()), newField(widget.NewEntry()), newField(widget.NewEntry())}
		if got := fs.check(c.name, c.p1, c.p2); got != c.ok {
			t.Errorf("%+v: check = %v", c, got)
		}
		for i, f := range fs {
			if got := f.problem(); (c.says[i] == "") != (got == "") || !strings.Contains(got, c.says[i]) {
				t.Errorf("%+v: field %d says %q, want %q", c, i, got, c.says[i])
			}
		}
	}
}
