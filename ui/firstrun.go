package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// Tagline is the one-line description on the welcome screen.
const Tagline = "Your society's economy, with no server."

// page frames a first-run step: a heading, an explanation and a form.
func page(heading, text string, body ...fyne.CanvasObject) fyne.CanvasObject {
	h := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.SizeName = theme.SizeNameHeadingText
	expl := widget.NewLabel(text)
	expl.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(append([]fyne.CanvasObject{h, expl}, body...)...)
	return container.NewPadded(container.NewCenter(container.NewGridWrap(fyne.NewSize(520, box.MinSize().Height), box)))
}

// welcomeScreen offers to create an identity or restore one.
func (u *UI) welcomeScreen() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(Title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabelWithStyle(lang.L("Your society's economy, with no server."), fyne.TextAlignCenter, fyne.TextStyle{})
	create := widget.NewButtonWithIcon(lang.L("Create my identity"), theme.AccountIcon(), func() { u.win.SetContent(u.createScreen()) })
	create.Importance = widget.HighImportance
	restore := widget.NewButtonWithIcon(lang.L("Restore from a recovery phrase"), theme.HistoryIcon(), func() { u.win.SetContent(u.restoreScreen()) })
	return container.NewCenter(container.NewVBox(title, tagline, widget.NewSeparator(), create, restore))
}

// passphraseFields returns a passphrase entry and its confirmation.
func passphraseFields() (*widget.Entry, *widget.Entry) {
	p1, p2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	p1.SetPlaceHolder(lang.L("Passphrase"))
	p2.SetPlaceHolder(lang.L("Passphrase again"))
	return p1, p2
}

// identityFields are the name, passphrase and passphrase-again fields
// of the create and restore forms.
type identityFields [3]*field

// check shows the problems of the fields next to them; it reports
// whether there are none.
func (fs identityFields) check(name, p1, p2 string) bool {
	var nameErr, p1Err, p2Err error
	if strings.TrimSpace(name) == "" {
		nameErr = errors.New(lang.L("Enter your name."))
	}
	if err := checkPassphrases(p1, p2); err != nil {
		if node.CheckNewPassphrase([]byte(p1)) != nil {
			p1Err = err
		} else {
			p2Err = err // they differ
		}
	}
	return allFine(fs[0].check(nameErr), fs[1].check(p1Err), fs[2].check(p2Err))
}

// checkPassphrases applies node.CheckNewPassphrase, the rule the command
// line applies too, and checks the confirmation.
func checkPassphrases(p1, p2 string) error {
	switch {
	case node.CheckNewPassphrase([]byte(p1)) != nil:
		return errors.New(lang.L("Choose a passphrase of at least 8 characters."))
	case p1 != p2:
		return errors.New(lang.L("The two passphrases differ."))
	}
	return nil
}

// createScreen asks for a name and a passphrase, then shows the recovery
// phrase.
func (u *UI) createScreen() fyne.CanvasObject {
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Your name, as members will see it"))
	p1, p2 := passphraseFields()
	fs := identityFields{newField(name), newField(p1), newField(p2)}
	form := &widget.Form{Items: []*widget.FormItem{
		{Text: lang.L("Name"), Widget: fs[0].box},
		{Text: lang.L("Passphrase"), Widget: fs[1].box, HintText: lang.L("It protects your keys on this device.")},
		{Text: lang.L("Again"), Widget: fs[2].box},
	}}
	form.SubmitText = lang.L("Create")
	form.OnCancel = func() { u.win.SetContent(u.welcomeScreen()) }
	form.CancelText = lang.L("Back")
	form.OnSubmit = func() {
		if !fs.check(name.Text, p1.Text, p2.Text) {
			return
		}
		n, pass := strings.TrimSpace(name.Text), []byte(p1.Text)
		u.background(func() error {
			phrase, err := u.b.Create(n, pass)
			if err != nil {
				return err
			}
			u.onUI(func() { u.win.SetContent(u.phraseScreen(phrase)) })
			return nil
		})
	}
	return page(lang.L("Create your identity"), lang.L("Your identity is a key pair kept on this device. Other members know you by its public half."), form)
}

// background runs an action that does not need the node (creating or
// unlocking it), showing its error in a dialog.
func (u *UI) background(fn func() error) {
	u.work.Add(1)
	u.spawn(func() {
		defer u.work.Done()
		if err := fn(); err != nil {
			u.onUI(func() { u.showError(err) })
		}
	})
}

// PhraseCheckWords is how many words of the recovery phrase the member
// types back to confirm it was written down.
const PhraseCheckWords = 3

// phraseScreen shows the recovery phrase once and asks for some of its
// words back.
func (u *UI) phraseScreen(phrase string) fyne.CanvasObject {
	words := strings.Fields(phrase)
	grid := container.NewGridWithColumns(4)
	for i, w := range words {
		l := widget.NewLabel(fmt.Sprintf("%d. %s", i+1, w))
		l.TextStyle = fyne.TextStyle{Monospace: true}
		grid.Add(l)
	}
	ask := rand.Perm(len(words))[:PhraseCheckWords]
	slices.Sort(ask)
	entries := make([]*widget.Entry, len(ask))
	items := make([]*widget.FormItem, len(ask))
	for i, k := range ask {
		entries[i] = widget.NewEntry()
		items[i] = &widget.FormItem{Text: fmt.Sprintf(lang.L("Word %d"), k+1), Widget: entries[i]}
	}
	form := &widget.Form{Items: items, SubmitText: lang.L("I wrote it down")}
	form.OnSubmit = func() {
		for i, k := range ask {
			if strings.ToLower(strings.TrimSpace(entries[i].Text)) != words[k] {
				u.showError(fmt.Errorf(lang.L("Word %d does not match: check what you wrote down."), k+1))
				return
			}
		}
		u.afterUnlock()
	}
	return page(lang.L("Your recovery phrase"),
		lang.L("Write these 24 words down now and keep them safe. They restore your membership if this device is lost. You can show them again later in Settings, with your passphrase. To continue, type back the words asked below."),
		grid, widget.NewSeparator(), form)
}

// restoreScreen recreates an identity from its recovery phrase.
func (u *UI) restoreScreen() fyne.CanvasObject {
	name := widget.NewEntry()
	phrase := widget.NewMultiLineEntry()
	phrase.SetPlaceHolder(lang.L("The 24 words, separated by spaces"))
	phrase.Wrapping = fyne.TextWrapWord
	p1, p2 := passphraseFields()
	fs := identityFields{newField(name), newField(p1), newField(p2)}
	form := &widget.Form{Items: []*widget.FormItem{
		{Text: lang.L("Name"), Widget: fs[0].box},
		{Text: lang.L("Recovery phrase"), Widget: phrase},
		{Text: lang.L("New passphrase"), Widget: fs[1].box},
		{Text: lang.L("Again"), Widget: fs[2].box},
	}, SubmitText: lang.L("Restore"), CancelText: lang.L("Back")}
	form.OnCancel = func() { u.win.SetContent(u.welcomeScreen()) }
	form.OnSubmit = func() {
		if !fs.check(name.Text, p1.Text, p2.Text) {
			return
		}
		n, ph, pass := strings.TrimSpace(name.Text), strings.Join(strings.Fields(strings.ToLower(phrase.Text)), " "), []byte(p1.Text)
		u.background(func() error {
			if err := u.b.Restore(n, ph, pass); err != nil {
				return err
			}
			u.onUI(u.afterUnlock)
			return nil
		})
	}
	return page(lang.L("Restore your identity"), lang.L("This device gets a new device key, certified by your member key from the phrase."), form)
}

// unlockScreen asks for the passphrase.
func (u *UI) unlockScreen() fyne.CanvasObject {
	pass := widget.NewPasswordEntry()
	name := ""
	if pub, err := u.b.Public(); err == nil {
		name = pub.Name
	}
	form := &widget.Form{Items: []*widget.FormItem{{Text: lang.L("Passphrase"), Widget: pass}}, SubmitText: lang.L("Unlock")}
	form.OnSubmit = func() {
		p := []byte(pass.Text)
		u.background(func() error {
			if err := u.b.Unlock(p); err != nil {
				return err
			}
			u.onUI(u.afterUnlock)
			return nil
		})
	}
	pass.OnSubmitted = func(string) { form.OnSubmit() }
	return page(fmt.Sprintf(lang.L("Welcome back, %s"), name), lang.L("Enter your passphrase to open your keys."), form)
}

// societyChoiceScreen founds a society or joins one with an invite code.
func (u *UI) societyChoiceScreen() fyne.CanvasObject {
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("For example: Elm Street Neighbours"))
	create := widget.NewButtonWithIcon(lang.L("Found the society"), theme.ContentAddIcon(), nil)
	create.OnTapped = func() {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			u.showError(errors.New(lang.L("Enter the society's name.")))
			return
		}
		create.Disable()
		var st *node.SocietyStatus
		u.quietly(func(api node.API) (err error) {
			st, err = api.CreateSociety(n)
			return err
		}, func() {
			create.Enable()
			u.SetSociety(st.ID)
			u.showMain()
		}, func(err error) {
			create.Enable()
			u.showError(err)
		})
	}
	code := widget.NewMultiLineEntry()
	code.SetPlaceHolder(lang.L("Paste the invite code (commons1…)"))
	code.Wrapping = fyne.TextWrapBreak
	progress := widget.NewProgressBarInfinite()
	progress.Hide()
	join := widget.NewButtonWithIcon(lang.L("Join"), theme.LoginIcon(), nil)
	join.OnTapped = func() {
		c := strings.TrimSpace(code.Text)
		if c == "" {
			u.showError(errors.New(lang.L("Paste an invite code first.")))
			return
		}
		// A code that cannot be read is refused here, before the join
		// waits on the network.
		if _, err := node.ParseInviteCode(c); err != nil {
			u.showError(errors.New(lang.L("This is not a valid invite code: copy the whole code, which starts with commons1, and paste it again.")))
			return
		}
		join.Disable()
		progress.Show()
		var res *node.JoinResult
		u.quietly(func(api node.API) (err error) {
			res, err = api.Join(c)
			return err
		}, func() {
			progress.Hide()
			join.Enable()
			u.SetSociety(res.Society)
			u.showMain()
		}, func(err error) {
			progress.Hide()
			join.Enable()
			u.showError(err)
		})
	}
	found := container.NewVBox(widget.NewLabelWithStyle(lang.L("Found a new society"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name, create)
	joinBox := container.NewVBox(widget.NewLabelWithStyle(lang.L("Join with an invite"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		code, join, progress)
	return page(lang.L("Your society"), lang.L("Found a society and invite your neighbours, or join one with the invite code a member gave you."),
		found, widget.NewSeparator(), joinBox)
}
