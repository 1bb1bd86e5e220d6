package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The demo society: a sample society written through the real record path
// (signed records, invites, joins, admissions and CAR exchange), so that
// every screen of the app has something to show. The app fills a fresh
// home with it for `commons --demo` and for screenshots.

// DemoPassphrase is the passphrase of the demo identity (`commons --demo`).
const DemoPassphrase = "commons-demo"

// DemoSociety is the name of the demo society.
const DemoSociety = "Elm Street Commons"

// demoMarker is the file that marks a home filled by Demo.
const demoMarker = "demo.txt"

// DemoAnnMinutes is the demo member Ann's time-bank balance once Demo is
// done: what her confirmed transfers move (the disputed one, not
// reversed, included; the pending and the rejected one not).
const DemoAnnMinutes = 225

// ErrHomeInUse is returned by Demo for a home that already holds an
// identity or a store.
var ErrHomeInUse = errors.New("node: this home already holds an identity or records: the demo needs a fresh home")

// DemoFits returns ErrHomeInUse when Demo would refuse a home: one that
// already holds an identity or records. A home that does not exist fits.
func DemoFits(home string) error {
	p := Paths{Home: home}
	for _, f := range []string{p.Identity(), p.Public(), p.Store()} {
		if _, err := os.Stat(f); err == nil {
			return ErrHomeInUse
		}
	}
	return nil
}

// IsDemo reports whether a home was filled by Demo.
func IsDemo(home string) bool {
	_, err := os.Stat(filepath.Join(home, demoMarker))
	return err == nil
}

// demoMember is one member of the demo society.
type demoMember struct {
	name   string
	bio    string
	skills []string
}

// demoMembers are the members; the first founds the society and lives in
// the demo home, the others in temporary homes.
var demoMembers = []demoMember{
	{"Ann", "Founder of Elm Street Commons. Retired maths teacher who bakes far too much bread.", []string{"Baking", "Tutoring", "Organising"}},
	{"Ben", "Gardener with a van: happy to help with anything heavy.", []string{"Gardening", "Moving", "Carpentry"}},
	{"Cleo", "Night-shift nurse. I fix bikes and sew on my days off.", []string{"Bike repair", "First aid", "Sewing"}},
	{"Dev", "Software developer. Laptops, phones and a decent curry.", []string{"Computer help", "Cooking", "Translation"}},
	{"Eli", "Music student; I walk dogs and look after children.", []string{"Music lessons", "Dog walking", "Childcare"}},
}

// demoClock is the clock of every demo peer: the story runs over the
// weeks before the real now, one scene at a time, and every reading moves
// a second on so that records are ordered as written.
type demoClock struct {
	mu    sync.Mutex
	start time.Time
	t     time.Time
}

func newDemoClock(now time.Time) *demoClock {
	y, m, d := now.Add(-40 * 24 * time.Hour).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	return &demoClock{start: start, t: start}
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// at moves the clock to an hour of a day of the story (day 0 is forty
// days before the real now); it never moves back.
func (c *demoClock) at(day, hour int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.start.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour); t.After(c.t) {
		c.t = t
	}
}

// demoWorld runs the demo script. Its steps stop at the first error
// (err), so that the script reads as a story.
type demoWorld struct {
	clock *demoClock
	tmp   string
	soc   string
	nodes map[string]*Node
	err   error
	// authored counts the records each peer wrote; seen[a][b] is
	// authored[b] when a last imported b's records.
	authored map[string]int
	seen     map[string]map[string]int
	exports  int
}

// Demo fills a fresh home with the demo society: Ann, its founder, is the
// home's member (her identity is encrypted with passphrase); Ben, Cleo,
// Dev and Eli are peers in temporary homes that are deleted afterwards.
// They join with invites, write profiles, offers and requests, trade
// about a dozen confirmed time-bank transfers (a group session and a
// donation to the community account among them, one rejected, one
// disputed, and one still waiting for Ann's answer), and record
// contributions with reviews. The story runs over the forty days before
// now() (time.Now when nil). The others end holding all of Ann's
// records, so that none of hers counts as unshared. Demo refuses a home
// that already holds an identity or records.
func Demo(home string, passphrase []byte, now func() time.Time) (err error) {
	if now == nil {
		now = time.Now
	}
	if err := DemoFits(home); err != nil {
		return err
	}
	p := Paths{Home: home}
	tmp, err := os.MkdirTemp("", "commons-demo-*")
	if err != nil {
		return fmt.Errorf("node: demo: %w", err)
	}
	w := &demoWorld{clock: newDemoClock(now()), tmp: tmp, nodes: map[string]*Node{},
		authored: map[string]int{}, seen: map[string]map[string]int{}}
	defer func() {
		for _, n := range w.nodes {
			if cerr := n.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("node: demo: %w", cerr)
			}
		}
		if rerr := os.RemoveAll(tmp); err == nil && rerr != nil {
			err = fmt.Errorf("node: demo: %w", rerr)
		}
		if err != nil {
			// Leave the home as fresh as it was.
			for _, f := range []string{p.Identity(), p.Public(), p.Store(), p.Shared(), filepath.Join(home, demoMarker)} {
				_ = os.RemoveAll(f)
			}
		}
	}()
	for i, m := range demoMembers {
		h, pass := filepath.Join(tmp, m.name), []byte("demo-"+m.name)
		if i == 0 {
			h, pass = home, passphrase
		}
		id, err := Init(h, m.name, "", pass)
		if err != nil {
			return fmt.Errorf("node: demo: %s: %w", m.name, err)
		}
		n, err := Open(h, id, Options{Now: w.clock.Now})
		if err != nil {
			return fmt.Errorf("node: demo: %s: %w", m.name, err)
		}
		w.nodes[m.name] = n
		w.seen[m.name] = map[string]int{}
	}
	w.script()
	if w.err != nil {
		return w.err
	}
	// The others end holding all of Ann's records, and Ann's home every
	// record: importing their files notes that her records are held
	// elsewhere (kept in her home's shared.json), so that the app does
	// not count them as unshared.
	for _, m := range demoMembers[1:] {
		w.pull(m.name, "Ann")
	}
	for _, m := range demoMembers[1:] {
		w.pull("Ann", m.name)
	}
	if w.err != nil {
		return w.err
	}
	note := "This home was filled by `commons --demo`. Its passphrase is " + DemoPassphrase + ".\n"
	if err := os.WriteFile(filepath.Join(home, demoMarker), []byte(note), 0o600); err != nil {
		return fmt.Errorf("node: demo: %w", err)
	}
	return nil
}

// fail records the first error of the script.
func (w *demoWorld) fail(what string, err error) {
	if w.err == nil && err != nil {
		w.err = fmt.Errorf("node: demo: %s: %w", what, err)
	}
}

// pull has dst import src's records through a CAR file.
func (w *demoWorld) pull(dst, src string) {
	if w.err != nil {
		return
	}
	w.exports++
	path := filepath.Join(w.tmp, fmt.Sprintf("%s-%d.car", src, w.exports))
	if _, err := w.nodes[src].Export(ExportRequest{Society: w.soc, Path: path}); err != nil {
		w.fail("export "+src, err)
		return
	}
	defer os.Remove(path)
	res, err := w.nodes[dst].Import(path)
	if err == nil && len(res.Rejected) > 0 {
		err = fmt.Errorf("rejected %v", res.Rejected)
	}
	if err != nil {
		w.fail(dst+" imports "+src, err)
		return
	}
	w.seen[dst][src] = w.authored[src]
	if res.Admitted > 0 {
		w.authored[dst]++
	}
}

// as runs a step of member name, after name has caught up with the
// records the others wrote since it last looked.
func (w *demoWorld) as(name, what string, fn func(n *Node) error) {
	if w.err != nil {
		return
	}
	for _, m := range demoMembers {
		if m.name != name && w.seen[name][m.name] < w.authored[m.name] {
			w.pull(name, m.name)
		}
	}
	if w.err != nil {
		return
	}
	w.fail(name+": "+what, fn(w.nodes[name]))
	w.authored[name]++
}

// join has name join with a new invite of Ann's and be admitted.
func (w *demoWorld) join(name string) {
	var code string
	w.as("Ann", "invite "+name, func(n *Node) error {
		inv, err := n.Invite(InviteRequest{Society: w.soc})
		if inv != nil {
			code = inv.Code
		}
		return err
	})
	w.as(name, "join", func(n *Node) error {
		_, err := n.Join(code)
		return err
	})
	w.pull("Ann", name) // Ann's node admits the join
}

// transfer has by propose a transfer; it returns its ID.
func (w *demoWorld) transfer(by, mode string, to []string, minutes int64, skill, note string) string {
	var id string
	w.as(by, "propose "+skill, func(n *Node) error {
		ti, err := n.ProposeTransfer(TransferRequest{Society: w.soc, Mode: mode, To: to, Minutes: minutes, Skill: skill, Note: note})
		if ti != nil {
			id = ti.ID
		}
		return err
	})
	return id
}

// confirm has by confirm its leg of a transfer, with a review when note
// is not empty (a service received).
func (w *demoWorld) confirm(by, id, note string) {
	w.as(by, "confirm", func(n *Node) error {
		req := AnswerRequest{Society: w.soc, ID: id, Accept: true}
		if note != "" {
			req.Review = &TransferReview{Satisfied: true, Note: note}
		}
		_, err := n.AnswerTransfer(req)
		return err
	})
}

// contribution has by record a contribution; it returns its ID.
func (w *demoWorld) contribution(by string, req ContributionRequest) string {
	var id string
	w.as(by, "contribution "+req.Skill, func(n *Node) error {
		req.Society = w.soc
		ci, err := n.AddContribution(req)
		if ci != nil {
			id = ci.ID
		}
		return err
	})
	return id
}

// review has by review a contribution.
func (w *demoWorld) review(by, id string, quality, impact int, note string) {
	w.as(by, "review", func(n *Node) error {
		_, err := n.ReviewContribution(ReviewRequest{Society: w.soc, ID: id, Quality: quality, Impact: impact, Note: note})
		return err
	})
}

// listing has by add an offer or a request to the directory.
func (w *demoWorld) listing(by, kind, skill, text, when, where string) {
	w.as(by, kind+" "+skill, func(n *Node) error {
		_, err := n.AddListing(ListingRequest{Society: w.soc, Kind: kind, Skill: skill, Description: text, Availability: when, Place: where})
		return err
	})
}

// script is the story of the demo society.
func (w *demoWorld) script() {
	c := w.clock
	const give, pay = ModeGive, ModePay

	// Day 0-3: Ann founds the society; her neighbours join.
	c.at(0, 10)
	w.as("Ann", "found the society", func(n *Node) error {
		s, err := n.CreateSociety(DemoSociety)
		if s != nil {
			w.soc = s.ID
		}
		return err
	})
	for i, m := range demoMembers[1:] {
		c.at(1+i/2, 18+i%2)
		w.join(m.name)
	}

	// Day 3-5: profiles, offers and requests.
	for i, m := range demoMembers {
		c.at(3, 9+i)
		bio, skills := m.bio, m.skills
		w.as(m.name, "profile", func(n *Node) error {
			return n.SetProfile(ProfileRequest{Society: w.soc, Bio: &bio, Skills: &skills})
		})
	}
	c.at(4, 10)
	w.listing("Ann", KindOffer, "Baking", "Sourdough loaves every Saturday, and bread-making lessons for beginners.", "Saturday mornings", "Elm Street 4")
	w.listing("Ann", KindOffer, "Tutoring", "Maths help for secondary-school pupils, up to A level.", "Weekday afternoons", "Elm Street 4 or online")
	w.listing("Ann", KindRequest, "Moving", "Help carrying an old piano to the community hall.", "Any Saturday in June", "Elm Street 4")
	w.listing("Ben", KindOffer, "Gardening", "Hedge trimming, mowing and planting; I bring my own tools.", "Weekday evenings", "Around Elm Street")
	w.listing("Ben", KindOffer, "Moving", "I have a van and a strong back.", "Weekends", "")
	c.at(4, 15)
	w.listing("Cleo", KindOffer, "Bike repair", "Punctures, brakes, gears and lights.", "Mondays and Tuesdays", "Elm Street 11, back yard")
	w.listing("Cleo", KindRequest, "Childcare", "Someone to pick my son up from school on Thursdays.", "Thursdays at 15:30", "Oak Lane primary school")
	w.listing("Dev", KindOffer, "Computer help", "Slow laptop, lost photos, a new phone to set up: I can help.", "Evenings", "Online or at your home")
	w.listing("Dev", KindRequest, "Gardening", "Advice on growing vegetables on a small balcony.", "", "Elm Street 20, flat 3")
	c.at(5, 11)
	w.listing("Eli", KindOffer, "Music lessons", "Guitar and piano for beginners of any age.", "Afternoons", "Elm Street 7")
	w.listing("Eli", KindOffer, "Dog walking", "Morning or evening walks, any size of dog.", "Every day", "")

	// Governance (demo_governance.go) runs between the time bank's scenes.
	g := &demoGov{w: w}
	g.propose()

	// Day 6-38: the time bank, contributions and reviews.
	c.at(6, 17)
	t := w.transfer("Ben", give, []string{"Ann"}, 60, "Gardening", "Trimmed the front hedge")
	w.confirm("Ann", t, "Tidy work, and he swept up after.")
	g.closeAt(8, 11, "Cleo", g.councils)
	c.at(8, 14)
	t = w.transfer("Ann", give, []string{"Dev"}, 90, "Tutoring", "Maths revision with Priya")
	w.confirm("Dev", t, "Priya finally likes fractions.")
	c.at(10, 10)
	t = w.transfer("Ann", give, []string{"Ben", "Cleo", "Dev"}, 120, "Baking", "Sourdough workshop in the community hall")
	w.confirm("Ben", t, "Great fun; my loaf even rose.")
	w.confirm("Cleo", t, "")
	w.confirm("Dev", t, "Very well explained.")
	g.join()
	c.at(12, 16)
	t = w.transfer("Cleo", give, []string{"Ann"}, 45, "Bike repair", "New brake pads and a chain")
	w.confirm("Ann", t, "Rides like new.")
	g.partyVote()
	c.at(14, 19)
	t = w.transfer("Dev", give, []string{"Ann"}, 60, "Computer help", "Set up the new laptop and backups")
	w.confirm("Ann", t, "")
	c.at(15, 9)
	t = w.transfer("Ann", pay, []string{"Eli"}, 30, "Dog walking", "Walked Rex while I was away")
	w.confirm("Eli", t, "")
	c.at(16, 12)
	w.transfer("Ann", pay, []string{CommunityAccount}, 60, "Donation", "For the community garden fund")
	g.toolsVote()
	c.at(17, 18)
	t = w.transfer("Eli", give, []string{"Ben"}, 60, "Music lessons", "First guitar lesson")
	w.confirm("Ben", t, "Patient teacher.")
	c.at(19, 10)
	t = w.transfer("Ben", give, []string{"Cleo"}, 120, "Moving", "Moved a wardrobe across town")
	w.confirm("Cleo", t, "")
	g.closeAt(20, 11, "Ann", g.party)
	c.at(20, 12)
	spring := w.contribution("Ann", ContributionRequest{What: "Organised the spring clean-up of Elm Street", Skill: "Organising", Minutes: 240,
		For: []string{CommunityAccount}, Guild: "Street committee"})
	beds := w.contribution("Ben", ContributionRequest{What: "Built three raised beds for the shared garden", Skill: "Carpentry", Minutes: 360,
		For: []string{CommunityAccount}, Guild: "Garden group", Link: "https://example.org/elm-street/garden"})
	c.at(21, 20)
	t = w.transfer("Dev", give, []string{"Eli"}, 45, "Computer help", "Recovered the lost essay")
	w.confirm("Eli", t, "A lifesaver.")
	c.at(22, 10)
	w.review("Ben", spring, 5, 5, "Forty bags of rubbish gone in a morning.")
	w.review("Cleo", spring, 4, 5, "")
	w.review("Ann", beds, 5, 4, "Solid work; the tomatoes love them.")
	w.review("Eli", beds, 4, 4, "")
	c.at(23, 15)
	t = w.transfer("Cleo", give, []string{"Eli"}, 30, "Sewing", "Hemmed two pairs of trousers")
	w.confirm("Eli", t, "")
	g.gardenVote()
	c.at(25, 16)
	t = w.transfer("Ann", give, []string{"Eli"}, 60, "Tutoring", "Statistics for the music exam")
	w.confirm("Eli", t, "Clear and kind.")
	g.closeAt(26, 13, "Ben", g.tools)
	c.at(26, 14)
	fete := w.contribution("Cleo", ContributionRequest{What: "Ran the first-aid tent at the school fete", Skill: "First aid", Minutes: 300,
		For: []string{CommunityAccount}})
	cal := w.contribution("Dev", ContributionRequest{What: "Set up the society's shared calendar", Skill: "Computer help", Minutes: 90,
		For: []string{"Ann", "Ben"}, Guild: "Street committee"})
	c.at(27, 17)
	t = w.transfer("Eli", give, []string{"Ann"}, 90, "Music lessons", "Two piano lessons")
	w.confirm("Ann", t, "I can play a whole song now.")
	g.closeAt(29, 10, "Ann", g.garden)
	c.at(29, 19)
	t = w.transfer("Dev", give, []string{"Ann"}, 30, "Cooking", "Curry for the street meeting")
	w.as("Ann", "reject", func(n *Node) error {
		_, err := n.AnswerTransfer(AnswerRequest{Society: w.soc, ID: t,
			Reason: "The curry was for the whole street: it should come from the community account, not from me."})
		return err
	})
	c.at(30, 13)
	w.review("Ann", fete, 5, 5, "Two grazes and one bee sting handled calmly.")
	w.review("Dev", fete, 5, 4, "")
	w.review("Ann", cal, 4, 4, "Everyone uses it now.")
	w.review("Ben", cal, 4, 3, "")
	c.at(31, 11)
	t = w.transfer("Ann", give, []string{"Ben"}, 60, "Organising", "Planned the street party")
	w.confirm("Ben", t, "")
	g.breadVote()
	c.at(33, 9)
	w.as("Ben", "dispute", func(n *Node) error {
		_, err := n.DisputeTransfer(DisputeRequest{Society: w.soc, ID: t,
			Reason: "The party was cancelled because of the rain; I think this should be reversed."})
		return err
	})
	c.at(35, 20)
	concert := w.contribution("Eli", ContributionRequest{What: "Played guitar at the school fete", Skill: "Music", Minutes: 180,
		For: []string{CommunityAccount}})
	c.at(36, 18)
	w.transfer("Ben", give, []string{"Ann"}, 120, "Carpentry", "Fixed the garden gate and its hinges")
	g.openVotes()
	c.at(38, 10)
	w.review("Dev", concert, 5, 4, "")
	w.review("Ann", concert, 4, 4, "")
	g.election()
}
