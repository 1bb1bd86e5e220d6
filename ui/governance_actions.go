package ui

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// The actions a proposal form attaches (what the proposal does if it
// passes): change the settings, remove a member, pay from the community
// account, create, rename, move or dissolve a sub-council, admit a member
// to an invitation council, set the council's voice credits or vote
// weight; and for a participatory budget, pay a member for a project if
// it is funded. Each has its own small editor, checked on the device; the
// node's refusal of an action shows under it. A proposal's actions, and
// once it is final what each did, are shown by govActionLine.

// govFund is the picker's kind for a spend funding a project of the
// budget being written (a node.ActSpend with its Project set).
const govFund = "fund-project"

// govActionKinds are the actions a yes/no, consent or consensus proposal
// offers, in the order the picker lists them; the root council offers
// all, another council the council ones. A budget offers govFund only.
var govActionKinds = []string{node.ActSettings, node.ActRemoveMember, node.ActSpend, node.ActCouncilCreate,
	node.ActCouncilRename, node.ActCouncilReparent, node.ActCouncilDissolve, node.ActCouncilAdmit,
	node.ActCouncilCredits, node.ActCouncilWeight}

// govActionName names an action kind in the picker.
func govActionName(kind string) string {
	switch kind {
	case node.ActSettings:
		return lang.L("Change the society's settings")
	case node.ActRemoveMember:
		return lang.L("Remove a member")
	case node.ActSpend:
		return lang.L("Pay a member from the community account")
	case node.ActCouncilCreate:
		return lang.L("Create a sub-council")
	case node.ActCouncilRename:
		return lang.L("Rename a sub-council")
	case node.ActCouncilDissolve:
		return lang.L("Dissolve a sub-council")
	case node.ActCouncilReparent:
		return lang.L("Move a sub-council under another council")
	case node.ActCouncilAdmit:
		return lang.L("Admit a member to this council")
	case node.ActCouncilCredits:
		return lang.L("Set this council's voice credits")
	case node.ActCouncilWeight:
		return lang.L("Set how votes weigh in this council")
	case govFund:
		return lang.L("Pay a member for a project if it is funded")
	}
	return kind
}

// rootOnly reports whether only the root council takes an action.
func rootOnly(kind string) bool {
	return kind == node.ActSettings || kind == node.ActRemoveMember || kind == node.ActSpend || kind == govFund
}

// govAction is one action being attached: its editor and how it reads.
type govAction struct {
	kind  string
	field *field // the editor, with its problem under it
	obj   fyne.CanvasObject
	// read returns the action, or for settings the settings request;
	// each problem shows under the editor.
	read func() (*node.ProposalAction, *node.SettingsRequest, error)
	// entries and selects are the editor's inputs, in the order shown.
	entries []*widget.Entry
	selects []*widget.Select
}

// govActions is the form's list of actions.
type govActions struct {
	f    *govForm
	box  *fyne.Container
	pick *widget.Select
	// view is the actions' part of the form: the editors and the picker.
	view *fyne.Container
	list []*govAction
	// kinds maps a picker line to its kind.
	kinds map[string]string
	// budget is true when the method is a participatory budget, whose
	// actions pay for its projects.
	budget bool
}

func newGovActions(f *govForm) *govActions {
	a := &govActions{f: f, box: container.NewVBox(), kinds: map[string]string{}}
	a.pick = widget.NewSelect(nil, func(line string) {
		if kind, ok := a.kinds[line]; ok {
			a.add(kind)
		}
	})
	a.pick.PlaceHolder = lang.L("Add an action…")
	redrawOnThemeChange(f.s.u, a.pick)
	a.view = container.NewVBox(a.box, a.pick)
	return a
}

// offer lists the actions the selected council may take with the
// method chosen, without a second settings, credits or weight change.
func (a *govActions) offer() {
	a.kinds = map[string]string{}
	var lines []string
	s := a.f.s
	root := s.council == node.RootCouncil
	kinds := govActionKinds
	if a.budget {
		kinds = []string{govFund}
	}
	for _, k := range kinds {
		once := k == node.ActSettings || k == node.ActCouncilCredits || k == node.ActCouncilWeight
		if rootOnly(k) && !root || once && a.has(k) {
			continue
		}
		sub := k == node.ActCouncilRename || k == node.ActCouncilReparent || k == node.ActCouncilDissolve
		if sub && len(s.children[s.council]) == 0 {
			continue
		}
		if k == node.ActCouncilAdmit && (root || s.councils[s.council].Membership != node.MembershipInvitation) {
			continue
		}
		a.kinds[govActionName(k)] = k
		lines = append(lines, govActionName(k))
	}
	a.pick.SetOptions(lines)
	a.pick.ClearSelected()
}

func (a *govActions) has(kind string) bool {
	for _, x := range a.list {
		if x.kind == kind {
			return true
		}
	}
	return false
}

// clear removes every action (after the proposal is put, or when the
// council changes).
func (a *govActions) clear() {
	a.list = nil
	a.box.RemoveAll()
	a.offer()
}

// add attaches a new action of a kind.
func (a *govActions) add(kind string) {
	x := a.editor(kind)
	a.list = append(a.list, x)
	if kind == govFund {
		a.projectsChanged()
	}
	var remove *widget.Button
	remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		for i, y := range a.list {
			if y == x {
				a.list = append(a.list[:i], a.list[i+1:]...)
				break
			}
		}
		a.box.Remove(x.obj)
		a.offer()
		a.f.s.relayout()
	})
	head := container.NewBorder(nil, nil, nil, remove, govHeading(govActionName(kind)))
	x.obj = widget.NewCard("", "", container.NewVBox(head, x.field.box))
	a.box.Add(x.obj)
	a.offer()
	a.f.s.relayout()
}

// memberPicker is a select of the society's active members but me, and
// the member ID its choice names.
func (a *govActions) memberPicker() (*widget.Select, func() (string, bool)) {
	s := a.f.s
	var lines []string
	ids := map[string]string{}
	for label, id := range s.delegIDs {
		ids[label] = id
	}
	lines = append(lines, s.delegTo.Options...)
	sel := widget.NewSelect(lines, nil)
	sel.PlaceHolder = lang.L("Choose a member")
	return sel, func() (string, bool) { id, ok := ids[sel.Selected]; return id, ok }
}

// councilPicker is a select of the selected council's sub-councils (only
// a decision of its parent changes a council).
func (a *govActions) councilPicker() (*widget.Select, func() (string, bool)) {
	s := a.f.s
	ids := map[string]string{}
	var lines []string
	for _, id := range s.children[s.council] {
		line := s.councils[id].Name
		if _, dup := ids[line]; dup {
			line = fmt.Sprintf("%s (%s)", line, id)
		}
		ids[line] = id
		lines = append(lines, line)
	}
	sel := widget.NewSelect(lines, nil)
	sel.PlaceHolder = lang.L("Choose a sub-council")
	return sel, func() (string, bool) { id, ok := ids[sel.Selected]; return id, ok }
}

// parentPicker is a select of every council a sub-council may move
// under (the councils not dissolved), and the council ID its choice
// names.
func (a *govActions) parentPicker() (*widget.Select, func() (string, bool)) {
	s := a.f.s
	ids := map[string]string{}
	var lines []string
	var walk func(id string)
	walk = func(id string) {
		c, ok := s.councils[id]
		if !ok || c.Dissolved {
			return
		}
		line := c.Name
		if id == node.RootCouncil {
			line = lang.L("The society")
		}
		if _, dup := ids[line]; dup {
			line = fmt.Sprintf("%s (%s)", line, id)
		}
		ids[line] = id
		lines = append(lines, line)
		for _, k := range s.children[id] {
			walk(k)
		}
	}
	walk(node.RootCouncil)
	sel := widget.NewSelect(lines, nil)
	sel.PlaceHolder = lang.L("Choose the new parent")
	return sel, func() (string, bool) { id, ok := ids[sel.Selected]; return id, ok }
}

// under reports whether council id is c or one of its sub-councils, as
// the app holds them: moving c there would make a cycle.
func (s *govScreen) under(id, c string) bool {
	for seen := 0; id != "" && seen <= len(s.councils); seen++ {
		if id == c {
			return true
		}
		id = s.councils[id].Parent
	}
	return false
}

// projects are the projects listed in the form's options (a budget's):
// the lines that read as "name = cost", first of a name only.
func (a *govActions) projects() []node.ProposalOption {
	var ps []node.ProposalOption
	for _, line := range strings.Split(a.f.options.Text, "\n") {
		p, err := govOption(strings.TrimSpace(line), true)
		if err == nil && !slices.ContainsFunc(ps, func(q node.ProposalOption) bool { return q.Name == p.Name }) {
			ps = append(ps, p)
		}
	}
	return ps
}

// projectsChanged gives the project pickers the projects listed now.
func (a *govActions) projectsChanged() {
	var names []string
	for _, p := range a.projects() {
		names = append(names, p.Name)
	}
	for _, x := range a.list {
		if x.kind == govFund {
			x.selects[1].SetOptions(names)
			if len(names) == 0 {
				x.selects[1].PlaceHolder = lang.L("List the projects under Options first")
			} else {
				x.selects[1].PlaceHolder = lang.L("Choose a project")
			}
			x.selects[1].Refresh()
		}
	}
}

// form lays out an editor's labelled inputs.
func govActionForm(items ...fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewFormLayout(), items...)
}

// editor makes the editor of an action kind.
func (a *govActions) editor(kind string) *govAction {
	x := &govAction{kind: kind}
	entry := func(hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		return e
	}
	label := widget.NewLabel
	var in fyne.CanvasObject
	switch kind {
	case node.ActSettings:
		cur := a.f.s.settings
		lo := entry(fmt.Sprintf(lang.L("Now %s"), hours(cur.MinBalance)))
		hi := entry(fmt.Sprintf(lang.L("Now %s"), hours(cur.MaxBalance)))
		hl := entry(fmt.Sprintf(lang.L("Now %d"), cur.HalfLifeDays))
		x.entries = []*widget.Entry{lo, hi, hl}
		in = container.NewVBox(govWrapped(lang.L("Leave a field empty to keep it as it is.")),
			govActionForm(label(lang.L("Lowest balance (hours)")), lo, label(lang.L("Highest balance (hours)")), hi,
				label(lang.L("Reputation half-life (days)")), hl))
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			req := &node.SettingsRequest{}
			limit := hoursText(node.MaxCreditLimit)
			if t := strings.TrimSpace(lo.Text); t != "" {
				m, err := parseHours(t)
				if err != nil || m > 0 || m < -node.MaxCreditLimit {
					return nil, nil, fmt.Errorf(lang.L("The lowest balance is a number of hours from -%s to 0."), limit)
				}
				req.MinBalanceMinutes = &m
			}
			if t := strings.TrimSpace(hi.Text); t != "" {
				m, err := parseHours(t)
				if err != nil || m < 0 || m > node.MaxCreditLimit {
					return nil, nil, fmt.Errorf(lang.L("The highest balance is a number of hours from 0 to %s."), limit)
				}
				req.MaxBalanceMinutes = &m
			}
			if t := strings.TrimSpace(hl.Text); t != "" {
				d, err := strconv.ParseUint(t, 10, 64)
				if err != nil || d < 1 || d > node.MaxHalfLifeDays {
					return nil, nil, fmt.Errorf(lang.L("The half-life is a whole number of days from 1 to %d."), node.MaxHalfLifeDays)
				}
				req.HalfLifeDays = &d
			}
			if req.MinBalanceMinutes == nil && req.MaxBalanceMinutes == nil && req.HalfLifeDays == nil {
				return nil, nil, errors.New(lang.L("Give at least one new setting."))
			}
			return nil, req, nil
		}
	case node.ActRemoveMember, node.ActCouncilAdmit:
		sel, who := a.memberPicker()
		in, x.selects = sel, []*widget.Select{sel}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			k, err := a.memberKey(who)
			if err != nil {
				return nil, nil, err
			}
			id, _ := who()
			if kind == node.ActCouncilAdmit && slices.Contains(a.f.s.councils[a.f.s.council].Members, id) {
				return nil, nil, fmt.Errorf(lang.L("%s is in this council already."), a.f.s.memberName(id))
			}
			return &node.ProposalAction{Kind: kind, Member: k}, nil, nil
		}
	case node.ActSpend:
		sel, who := a.memberPicker()
		amount := entry(lang.L("Hours, such as 2 or 1.5"))
		in = govActionForm(label(lang.L("Pay")), sel, label(lang.L("Hours")), amount)
		x.entries, x.selects = []*widget.Entry{amount}, []*widget.Select{sel}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			k, err := a.memberKey(who)
			if err != nil {
				return nil, nil, err
			}
			m, err := parseHours(amount.Text)
			if err != nil || m <= 0 {
				return nil, nil, errors.New(lang.L("Give the hours to pay, a number above 0, such as 2 or 1.5."))
			}
			return &node.ProposalAction{Kind: kind, Member: k, Amount: m}, nil, nil
		}
	case node.ActCouncilCreate:
		name := entry(lang.L("The council's name"))
		kinds := []string{node.CouncilWorkers, node.CouncilConsumers, node.CouncilGeneral}
		rules := []string{node.MembershipOpen, node.MembershipInvitation, node.MembershipElection}
		kindSel := widget.NewSelect([]string{govKind(kinds[0]), govKind(kinds[1]), govKind(kinds[2])}, nil)
		kindSel.SetSelectedIndex(2)
		ruleSel := widget.NewSelect([]string{govRule(rules[0]), govRule(rules[1]), govRule(rules[2])}, nil)
		ruleSel.SetSelectedIndex(0)
		seats := entry(lang.L("Seats, for an elected council"))
		in = govActionForm(label(lang.L("Name")), name, label(lang.L("Kind")), kindSel, label(lang.L("Members come in")), ruleSel,
			label(lang.L("Seats")), seats)
		x.entries, x.selects = []*widget.Entry{name, seats}, []*widget.Select{kindSel, ruleSel}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			act := &node.ProposalAction{Kind: kind, Name: strings.TrimSpace(name.Text), CKind: kinds[max(kindSel.SelectedIndex(), 0)],
				Membership: rules[max(ruleSel.SelectedIndex(), 0)]}
			if act.Name == "" {
				return nil, nil, errors.New(lang.L("Give the new council a name."))
			}
			if act.Membership == node.MembershipElection {
				n, err := govCount(seats.Text, 1, node.MaxSeats)
				if err != nil {
					return nil, nil, err
				}
				act.Seats = n
			}
			return act, nil, nil
		}
	case node.ActCouncilRename, node.ActCouncilDissolve:
		sel, which := a.councilPicker()
		name := entry(lang.L("The new name"))
		in, x.selects = sel, []*widget.Select{sel}
		if kind == node.ActCouncilRename {
			in, x.entries = govActionForm(label(lang.L("Council")), sel, label(lang.L("New name")), name), []*widget.Entry{name}
		}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			id, ok := which()
			if !ok {
				return nil, nil, errors.New(lang.L("Choose the sub-council."))
			}
			act := &node.ProposalAction{Kind: kind, Council: id}
			if kind == node.ActCouncilRename {
				if act.Name = strings.TrimSpace(name.Text); act.Name == "" {
					return nil, nil, errors.New(lang.L("Give the council its new name."))
				}
			}
			return act, nil, nil
		}
	case node.ActCouncilReparent:
		sel, which := a.councilPicker()
		to, parent := a.parentPicker()
		in, x.selects = govActionForm(label(lang.L("Council")), sel, label(lang.L("Move under")), to), []*widget.Select{sel, to}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			id, ok := which()
			if !ok {
				return nil, nil, errors.New(lang.L("Choose the sub-council."))
			}
			p, ok := parent()
			switch {
			case !ok:
				return nil, nil, errors.New(lang.L("Choose the council to move it under."))
			case a.f.s.under(p, id):
				return nil, nil, errors.New(lang.L("A council cannot move under itself or one of its own sub-councils."))
			case a.f.s.councils[id].Parent == p:
				return nil, nil, errors.New(lang.L("The council is already there: choose another parent."))
			}
			return &node.ProposalAction{Kind: kind, Council: id, Parent: p}, nil, nil
		}
	case node.ActCouncilCredits:
		n := entry(fmt.Sprintf(lang.L("Now %d"), a.f.s.councils[a.f.s.council].Credits))
		in, x.entries = govActionForm(label(lang.L("Voice credits per member a month")), n), []*widget.Entry{n}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			c, err := govCount(n.Text, 1, node.MaxCredits)
			if err != nil {
				return nil, nil, err
			}
			return &node.ProposalAction{Kind: kind, Credits: c}, nil, nil
		}
	case node.ActCouncilWeight:
		ways := []string{node.WeightEqual, node.WeightReputation}
		how := widget.NewSelect([]string{lang.L("One member, one vote"), lang.L("By contribution reputation, with a cap")}, nil)
		how.SetSelectedIndex(0)
		capEntry := entry(lang.L("The most a member's vote weighs"))
		in = govActionForm(label(lang.L("Votes weigh")), how, label(lang.L("Cap")), capEntry)
		x.entries, x.selects = []*widget.Entry{capEntry}, []*widget.Select{how}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			act := &node.ProposalAction{Kind: kind, Weight: ways[max(how.SelectedIndex(), 0)]}
			if act.Weight == node.WeightReputation {
				c, err := govCount(capEntry.Text, 1, node.MaxWeightCap)
				if err != nil {
					return nil, nil, err
				}
				act.Cap = c
			} else if strings.TrimSpace(capEntry.Text) != "" {
				return nil, nil, errors.New(lang.L("One member, one vote has no cap: leave it empty."))
			}
			return act, nil, nil
		}
	case govFund:
		sel, who := a.memberPicker()
		project := widget.NewSelect(nil, nil)
		amount := entry(lang.L("Hours; empty: the project's cost"))
		in = govActionForm(label(lang.L("Pay")), sel, label(lang.L("For the project")), project, label(lang.L("Hours")), amount)
		x.entries, x.selects = []*widget.Entry{amount}, []*widget.Select{sel, project}
		x.read = func() (*node.ProposalAction, *node.SettingsRequest, error) {
			k, err := a.memberKey(who)
			if err != nil {
				return nil, nil, err
			}
			var cost int64 = -1
			for _, p := range a.projects() {
				if p.Name == project.Selected {
					cost = p.Cost
				}
			}
			if cost < 0 {
				return nil, nil, errors.New(lang.L("Choose one of the projects listed under Options."))
			}
			act := &node.ProposalAction{Kind: node.ActSpend, Member: k, Project: project.Selected, Amount: cost}
			if strings.TrimSpace(amount.Text) != "" {
				m, err := parseHours(amount.Text)
				if err != nil || m <= 0 {
					return nil, nil, errors.New(lang.L("Give the hours to pay, a number above 0, such as 2 or 1.5."))
				}
				act.Amount = m
			}
			return act, nil, nil
		}
	}
	x.field = newField(in)
	return x
}

// memberKey is the key of the member a picker chose.
func (a *govActions) memberKey(who func() (string, bool)) ([]byte, error) {
	id, ok := who()
	if !ok {
		return nil, errors.New(lang.L("Choose the member."))
	}
	return node.MemberKey(id)
}

// read puts the actions into a proposal request, each problem under its
// action; ok is false when there is one. order maps the position of each
// action the node sees (counted from 0, the settings change last, as the
// node adds it) to its editor.
func (a *govActions) read(req *node.ProposalRequest) (order []*govAction, ok bool) {
	ok = true
	var settings *govAction
	for _, x := range a.list {
		act, set, err := x.read()
		if !x.field.check(err) {
			ok = false
			continue
		}
		if set != nil {
			req.Settings, settings = set, x
			continue
		}
		req.Actions = append(req.Actions, *act)
		order = append(order, x)
	}
	if settings != nil {
		order = append(order, settings)
	}
	return order, ok
}

// govActionErr finds the action an error of the node names ("action N:",
// "action N :" in French), and the error's text without that name.
var govActionErr = regexp.MustCompile(`(?i)action (\d+)[ \x{00a0}]?: `)

// refused shows the node's refusal under the action it names; it reports
// whether one was named.
func (a *govActions) refused(order []*govAction, err error) bool {
	text := Readable(err)
	m := govActionErr.FindStringSubmatchIndex(text)
	if m == nil {
		return false
	}
	n, convErr := strconv.Atoi(text[m[2]:m[3]])
	if convErr != nil || n < 1 || n > len(order) {
		return false
	}
	rest := []rune(text[:m[0]] + text[m[1]:])
	if len(rest) > 0 {
		rest[0] = unicode.ToUpper(rest[0])
	}
	order[n-1].field.check(errors.New(string(rest)))
	return true
}

// govActionLine says what an action does (or did), in the member's
// words; name names members, council names councils.
func govActionLine(ai node.ActionInfo, name, council func(string) string) string {
	a := ai.Action
	var what string
	switch a.Kind {
	case node.ActSettings:
		if s := a.Settings; s != nil {
			what = fmt.Sprintf(lang.L("Set balances from %s to %s and the reputation half-life to %d days"),
				signedHours(s.MinBalance), signedHours(s.MaxBalance), s.HalfLifeDays)
		}
	case node.ActRemoveMember:
		what = fmt.Sprintf(lang.L("Remove %s from the society"), name(ai.MemberID))
	case node.ActSpend:
		what = fmt.Sprintf(lang.L("Pay %s %s from the community account"), name(ai.MemberID), hoursText(a.Amount))
		if a.Project != "" {
			what += " " + fmt.Sprintf(lang.L("for the project %s"), a.Project)
		}
	case node.ActCouncilCreate:
		what = fmt.Sprintf(lang.L("Create the council %q (%s, members come in: %s)"), a.Name, govKind(a.CKind), govRule(a.Membership))
	case node.ActCouncilRename:
		what = fmt.Sprintf(lang.L("Rename the council %s to %q"), council(a.Council), a.Name)
	case node.ActCouncilReparent:
		what = fmt.Sprintf(lang.L("Move the council %s under %s"), council(a.Council), council(a.Parent))
	case node.ActCouncilDissolve:
		what = fmt.Sprintf(lang.L("Dissolve the council %s"), council(a.Council))
	case node.ActCouncilAdmit:
		what = fmt.Sprintf(lang.L("Admit %s to this council"), name(ai.MemberID))
	case node.ActCouncilCredits:
		what = fmt.Sprintf(lang.L("Give each member %d voice credits a month in this council"), a.Credits)
	case node.ActCouncilWeight:
		what = lang.L("Weigh each member's vote equally")
		if a.Weight == node.WeightReputation {
			what = fmt.Sprintf(lang.L("Weigh votes by reputation, at most %d a member"), a.Cap)
		}
	default:
		what = a.Kind
	}
	switch ai.Outcome {
	case node.ActionDone:
		return what + " — " + lang.L("done")
	case node.ActionNotDone:
		return what + " — " + fmt.Sprintf(lang.L("not done: %s"), ai.Why)
	}
	return what
}
