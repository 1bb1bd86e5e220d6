package main

// Council governance's commands: council, proposal, vote, delegate,
// undelegate, delegation.

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/node"
)

const usageGovernance = `  council list [--json]                  councils as decided, the root council first
  council show [ID] [--json]             a council (root by default) and its proposals
  council create NAME --kind workers|consumers|general
              [--membership open|invitation|election] [--seats N] [--parent ID]
              [--method consent|yesno|consensus] [--closes DURATION|TIME]
                                         propose to the parent council (root by default)
                                         to create a council; prints the proposal ID last
  council join|leave ID                  join an open council, or leave one
  proposal create --title T --method M [--text X] [--council ID] [--topic T]
              [--options a,b,c] [--costs a=10,b=20] [--quorum 1/2] [--threshold 1/2]
              [--inclusive] [--seats N] [--score-max N] [--dots N] [--credits N]
              [--budget N] [--opens TIME] [--closes DURATION|TIME] [--grace DURATION]
              [--set-min M] [--set-max M] [--set-half-life D] [--spend MEMBER_ID=MINUTES]
              [--remove MEMBER_ID] [--credits-per-month N] [--weight equal|reputation:CAP]
              [--rename COUNCIL_ID=NAME] [--reparent COUNCIL_ID=PARENT_ID]
              [--dissolve COUNCIL_ID] [--admit MEMBER_ID]
              [--fund PROJECT=MEMBER_ID[:MINUTES]]...
                                         put a question to a council; prints its ID last
  proposal list [--council ID] [--json]  proposals, newest first, with their counts now
  proposal show ID [--json]              a proposal, its result (provisional until final) and
                                         its actions (what each did, once final)
  proposal recount ID [--json]           every counted ballot and the result
  proposal close ID                      close a proposal after its close time and grace
                                         (running peers close due proposals by themselves)
  vote ID (--choice C [--reason R] | --approve a,b | --rank a,c,b | --score a=4,b=2
              | --dots a=3 | --credits a=3)
                                         cast or change your ballot (--credits a=3: three
                                         votes for a, costing 9 credits)
  delegate --to MEMBER [--council ID] [--topic T]
                                         give your vote in a council to a member
  undelegate [--council ID] [--topic T]  take it back
  delegation list [--council ID] [--json]
                                         the delegations in effect you gave and received
                                         (every council by default), since when
  treasury [--json]                      the community account: balance, inflows, and
                                         outflows with the decisions that paid them
`

const usageGovernanceNotes = `
Methods: yesno, consent, consensus, approval, score, dots, quadratic, irv, stv,
schulze, budget-mes, budget-greedy. --closes takes a duration from now (72h)
or an RFC 3339 time; the default is 72h. Governance commands take --society ID.
`

// pointsFlag reads a=4,b=2 into points.
func parsePoints(name, s string) ([]tally.Point, error) {
	var out []tally.Point
	for _, part := range strings.Split(s, ",") {
		o, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		v, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if !ok || err != nil || strings.TrimSpace(o) == "" {
			return nil, usageErr("vote: --%s %q: want OPTION=NUMBER,...", name, part)
		}
		out = append(out, tally.Point{Option: strings.TrimSpace(o), N: v})
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseFrac reads "N/D".
func parseFrac(name, s string) (tally.Frac, error) {
	if s == "" {
		return tally.Frac{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	n, e1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	d, e2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	f := tally.Frac{Num: n, Den: d}
	if !ok || e1 != nil || e2 != nil || !f.Valid() {
		return f, usageErr("proposal create: --%s %q: want a fraction N/D from 0 to 1, such as 1/2 or 2/3", name, s)
	}
	return f, nil
}

// parseWhen reads a duration from now or an RFC 3339 time, as Unix ms.
func parseWhen(name, s string, now time.Time) (uint64, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return uint64(now.Add(d).UnixMilli()), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, usageErr("--%s %q: want a duration from now (such as 72h) or an RFC 3339 time", name, s)
	}
	return uint64(t.UnixMilli()), nil
}

func memberKey(name, id string) ([]byte, error) {
	k, err := identity.PublicKeyFromID(strings.TrimSpace(id))
	if err != nil {
		return nil, usageErr("--%s %q is not a member ID", name, id)
	}
	return k, nil
}

func (c *cli) cmdCouncil(args []string) error {
	if len(args) < 1 {
		return usageErr("council: want 'council create|list|show|join|leave'")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("council "+sub, flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	switch sub {
	case "list":
		if _, err := flags(fs, args, 0); err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			cs, err := api.CouncilList(node.SocietyRequest{Society: *soc})
			if err != nil || *asJSON {
				return c.jsonOr(cs, err)
			}
			for _, x := range cs {
				c.printCouncil(x)
			}
			return nil
		})
	case "show":
		pos, err := flags(fs, args, -1)
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return usageErr("council show: want at most one council ID")
		}
		req := node.CouncilRequest{Society: *soc, Council: governance.Root}
		if len(pos) == 1 {
			req.Council = pos[0]
		}
		return c.with(false, func(api node.API) error {
			d, err := api.CouncilShow(req)
			if err != nil || *asJSON {
				return c.jsonOr(d, err)
			}
			c.printCouncil(d.Council)
			c.printProposals(d.Proposals)
			return nil
		})
	case "join", "leave":
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		req := node.CouncilRequest{Society: *soc, Council: pos[0]}
		return c.with(true, func(api node.API) error {
			if sub == "join" {
				err = api.CouncilJoin(req)
			} else {
				err = api.CouncilLeave(req)
			}
			if err == nil {
				fmt.Fprintf(c.stdout, "%s: done\n", sub)
			}
			return err
		})
	case "create":
		kind := fs.String("kind", "", "workers, consumers or general")
		membership := fs.String("membership", governance.RuleOpen, "open, invitation or election")
		seats := fs.Int64("seats", 0, "seats of an elected council")
		parent := fs.String("parent", governance.Root, "the parent council")
		method := fs.String("method", governance.MethodConsent, "how the parent decides: consent, yesno or consensus")
		closes := fs.String("closes", "72h", "when voting closes")
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		cl, err := parseWhen("closes", *closes, time.Now())
		if err != nil {
			return err
		}
		req := node.ProposalRequest{Society: *soc, Council: *parent, Title: "Create the council " + pos[0], Method: *method, Closes: cl,
			Actions: []governance.Action{{Kind: governance.ActCouncilCreate, Name: pos[0], CKind: *kind, Membership: *membership, Seats: *seats}}}
		if *method == governance.MethodYesNo {
			req.Rule.Quorum, req.Rule.Threshold = tally.Frac{Num: 1, Den: 2}, tally.Frac{Num: 1, Den: 2}
		}
		return c.createProposal(req)
	}
	return usageErr("council: unknown subcommand %q (create, list, show, join, leave)", sub)
}

// jsonOr prints v as JSON unless err is set.
func (c *cli) jsonOr(v any, err error) error {
	if err != nil {
		return err
	}
	return c.printJSON(v)
}

func (c *cli) printCouncil(x governance.Council) {
	fmt.Fprintf(c.stdout, "%s  %s (%s, %s", x.ID, x.Name, x.Kind, x.Membership)
	if x.Seats > 0 {
		fmt.Fprintf(c.stdout, ", %d seats", x.Seats)
	}
	if x.Parent != "" {
		fmt.Fprintf(c.stdout, ", in %s", x.Parent)
	}
	if x.Dissolved {
		fmt.Fprint(c.stdout, ", dissolved")
	}
	fmt.Fprintf(c.stdout, ", %d voice credits a month", x.Credits)
	if x.Weight == governance.WeightReputation {
		fmt.Fprintf(c.stdout, ", votes weigh by reputation up to %d", x.WeightCap)
	}
	if x.ID == governance.Root {
		fmt.Fprint(c.stdout, ", every member)\n")
		return
	}
	fmt.Fprintf(c.stdout, ", %d members)\n", len(x.Members))
}

func (c *cli) printProposals(ps []node.ProposalInfo) {
	if len(ps) == 0 {
		fmt.Fprintln(c.stdout, "no proposals")
		return
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tMETHOD\tSTATUS\tBALLOTS\tRESULT")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\n", p.ID, p.Title, p.Method, propStatus(p), p.Ballots, p.Electorate, outcome(p))
	}
	tw.Flush()
}

func propStatus(p node.ProposalInfo) string {
	if p.Provisional && p.Status != governance.StatusScheduled {
		return p.Status + " (provisional)"
	}
	return p.Status
}

// finality says when a proposal is closed and its result final: running
// peers close it from its close time plus the grace, and the closes within
// the grace after the first one are counted together.
func finality(p node.ProposalInfo) string {
	switch {
	case p.Status == governance.StatusFinal:
		return fmt.Sprintf("final since %s (first close plus the grace of %s; %d closes counted)", p.FinalAt, p.Grace, p.ClosedBy)
	case p.ClosedBy > 0:
		return fmt.Sprintf("closed by %d peers so far; final at %s (first close plus the grace of %s)", p.ClosedBy, p.FinalAt, p.Grace)
	}
	return fmt.Sprintf("running peers close it from %s (close time plus the grace of %s); final a grace after the first close", p.ClosableFrom, p.Grace)
}

func outcome(p node.ProposalInfo) string {
	switch {
	case len(p.Winners) > 0:
		return strings.Join(p.Winners, ", ")
	case p.Passed:
		return "passes"
	}
	return "does not pass"
}

func (c *cli) createProposal(req node.ProposalRequest) error {
	return c.with(true, func(api node.API) error {
		p, err := api.ProposalCreate(req)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "proposed %q to council %s (%s), voting until %s\n%s\n", p.Title, p.Council, p.Method, p.Closes, p.ID)
		return nil
	})
}

func (c *cli) cmdProposal(args []string) error {
	if len(args) < 1 {
		return usageErr("proposal: want 'proposal create|list|show|recount|close'")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("proposal "+sub, flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	switch sub {
	case "create":
		return c.proposalCreate(fs, soc, args)
	case "list":
		council := fs.String("council", "", "only this council's")
		if _, err := flags(fs, args, 0); err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			ps, err := api.ProposalList(node.ProposalsRequest{Society: *soc, Council: *council})
			if err != nil || *asJSON {
				return c.jsonOr(ps, err)
			}
			c.printProposals(ps)
			return nil
		})
	case "show", "recount", "close":
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		req := node.ProposalIDRequest{Society: *soc, ID: pos[0]}
		return c.with(sub == "close", func(api node.API) error {
			switch sub {
			case "close":
				p, err := api.ProposalClose(req)
				if err == nil {
					fmt.Fprintf(c.stdout, "closed: %s, %s\n", propStatus(*p), outcome(*p))
				}
				return err
			case "show":
				d, err := api.ProposalShow(req)
				if err != nil || *asJSON {
					return c.jsonOr(d, err)
				}
				c.printDetail(d, d.Result, false)
				return nil
			}
			res, err := api.ProposalRecount(req)
			if err != nil || *asJSON {
				return c.jsonOr(res, err)
			}
			d, err := api.ProposalShow(req)
			if err != nil {
				return err
			}
			c.printDetail(d, res, true)
			return nil
		})
	}
	return usageErr("proposal: unknown subcommand %q (create, list, show, recount, close)", sub)
}

// printDetail prints a proposal's count and its actions (what each did,
// once final); with ballots, every counted ballot.
func (c *cli) printDetail(d *node.ProposalDetail, res *governance.Result, ballots bool) {
	p := d.Info
	fmt.Fprintf(c.stdout, "%s\n%s (%s), council %s, %s to %s\n", p.ID, p.Title, p.Method, p.Council, p.Opens, p.Closes)
	fmt.Fprintf(c.stdout, "status: %s; %d of %d voted; result: %s\n", propStatus(p), p.Ballots, p.Electorate, outcome(p))
	fmt.Fprintln(c.stdout, finality(p))
	for i, a := range d.Actions {
		fmt.Fprintf(c.stdout, "action %d: %s", i+1, actionText(a))
		switch a.Outcome {
		case node.ActionDone:
			fmt.Fprint(c.stdout, ": done")
		case node.ActionNotDone:
			fmt.Fprintf(c.stdout, ": not done (%s)", a.Why)
		}
		fmt.Fprintln(c.stdout)
	}
	switch {
	case res.YesNo != nil:
		fmt.Fprintf(c.stdout, "yes %d, no %d, abstain %d; quorum met: %v\n", res.YesNo.Yes, res.YesNo.No, res.YesNo.Abstain, res.YesNo.QuorumMet)
	case res.Points != nil:
		for _, x := range res.Points.Counts {
			fmt.Fprintf(c.stdout, "  %s: %d\n", x.Option, x.Votes)
		}
	case res.Ranked != nil:
		for i, r := range res.Ranked.Rounds {
			fmt.Fprintf(c.stdout, "  round %d: %v\n", i+1, r.Counts)
		}
	case res.Budget != nil:
		for _, f := range res.Budget.Funded {
			fmt.Fprintf(c.stdout, "  funded %s (%d)\n", f.Project, f.Cost)
		}
	}
	if !ballots {
		return
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VOTER\tWEIGHT\tVIA\tBALLOT")
	for _, b := range res.Ballots {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", b.Voter, b.Weight, b.Via, ballotText(b.Ballot))
	}
	tw.Flush()
}

func ballotText(b tally.Ballot) string {
	switch {
	case b.Choice != "":
		return b.Choice
	case b.Rank != nil:
		return "rank " + strings.Join(b.Rank, " > ")
	case b.Points != nil:
		var ps []string
		for _, p := range b.Points {
			ps = append(ps, fmt.Sprintf("%s=%d", p.Option, p.N))
		}
		return strings.Join(ps, ",")
	}
	return "approve " + strings.Join(b.Approve, ",")
}

// proposalCreate runs 'proposal create'.
func (c *cli) proposalCreate(fs *flag.FlagSet, soc *string, args []string) error {
	req := node.ProposalRequest{}
	fs.StringVar(&req.Title, "title", "", "the question")
	fs.StringVar(&req.Text, "text", "", "the details")
	fs.StringVar(&req.Method, "method", "", "voting method")
	fs.StringVar(&req.Council, "council", governance.Root, "the council")
	fs.StringVar(&req.Topic, "topic", "", "topic tag, for topic delegations")
	options := fs.String("options", "", "options, comma-separated")
	costs := fs.String("costs", "", "budget project costs: a=10,b=20")
	quorum := fs.String("quorum", "", "yes/no quorum N/D")
	threshold := fs.String("threshold", "", "yes/no pass threshold N/D")
	fs.BoolVar(&req.Rule.Inclusive, "inclusive", false, "support equal to the threshold passes")
	fs.Int64Var(&req.Rule.Seats, "seats", 0, "winners")
	fs.Int64Var(&req.Rule.ScoreMax, "score-max", 0, "highest score")
	fs.Int64Var(&req.Rule.Dots, "dots", 0, "dots per voter")
	fs.Int64Var(&req.Rule.Credits, "credits", 0, "voice credits per voter")
	fs.Int64Var(&req.Rule.Budget, "budget", 0, "participatory budget, minutes")
	opens := fs.String("opens", "", "when voting opens (default now)")
	closes := fs.String("closes", "72h", "when voting closes")
	grace := fs.Duration("grace", 0, "grace after the close (default 24h)")
	setMin := fs.Int64("set-min", 0, "settings action: minimum balance, minutes")
	setMax := fs.Int64("set-max", 0, "settings action: maximum balance, minutes")
	setHL := fs.Uint64("set-half-life", 0, "settings action: reputation half-life, days")
	spend := fs.String("spend", "", "spend action: MEMBER_ID=MINUTES from the community account")
	remove := fs.String("remove", "", "remove-member action: MEMBER_ID")
	monthly := fs.Int64("credits-per-month", 0, "council-credits action: each member's voice credits per month in the council")
	weight := fs.String("weight", "", "council-weight action: equal, or reputation:CAP")
	rename := fs.String("rename", "", "council-rename action: COUNCIL_ID=NEW_NAME (a sub-council of --council)")
	reparent := fs.String("reparent", "", "council-reparent action: COUNCIL_ID=NEW_PARENT_ID (a sub-council of --council)")
	dissolve := fs.String("dissolve", "", "council-dissolve action: COUNCIL_ID (a sub-council of --council)")
	admit := fs.String("admit", "", "council-admit action: MEMBER_ID (an invitation council)")
	var fund multiFlag
	fs.Var(&fund, "fund", "budget spend action: PROJECT=MEMBER_ID[:MINUTES], paid if the project is funded (default its cost; repeatable)")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if err := councilActions(&req, *rename, *reparent, *dissolve, *admit); err != nil {
		return err
	}
	if *monthly != 0 {
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActCouncilCredits, Credits: *monthly})
	}
	if *weight != "" {
		a := governance.Action{Kind: governance.ActCouncilWeight, Weight: *weight}
		if w, capText, ok := strings.Cut(*weight, ":"); ok {
			n, err := strconv.ParseInt(capText, 10, 64)
			if err != nil || w != governance.WeightReputation {
				return usageErr("proposal create: --weight %q: want equal or reputation:CAP", *weight)
			}
			a.Weight, a.Cap = w, n
		}
		req.Actions = append(req.Actions, a)
	}
	now := time.Now()
	var err error
	if req.Closes, err = parseWhen("closes", *closes, now); err != nil {
		return err
	}
	if *opens != "" {
		if req.Opens, err = parseWhen("opens", *opens, now); err != nil {
			return err
		}
	}
	if *grace < 0 {
		return usageErr("proposal create: --grace must not be negative")
	}
	req.Rule.GraceMillis = uint64(grace.Milliseconds())
	if req.Rule.Quorum, err = parseFrac("quorum", *quorum); err != nil {
		return err
	}
	if req.Rule.Threshold, err = parseFrac("threshold", *threshold); err != nil {
		return err
	}
	cost := map[string]int64{}
	if *costs != "" {
		ps, err := parsePoints("costs", *costs)
		if err != nil {
			return err
		}
		for _, p := range ps {
			cost[p.Option] = p.N
		}
	}
	for _, o := range splitList(*options) {
		req.Options = append(req.Options, governance.Option{Name: o, Cost: cost[o]})
		delete(cost, o)
	}
	for o := range cost {
		return usageErr("proposal create: --costs names %q, which is not among --options", o)
	}
	for _, f := range fund {
		a, err := fundAction(f, req.Options)
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, a)
	}
	fs.Visit(func(f *flag.Flag) { // a settings action changes only the settings given
		s := req.Settings
		if s == nil {
			s = &node.SettingsRequest{}
		}
		switch f.Name {
		case "set-min":
			s.MinBalanceMinutes = setMin
		case "set-max":
			s.MaxBalanceMinutes = setMax
		case "set-half-life":
			s.HalfLifeDays = setHL
		default:
			return
		}
		req.Settings = s
	})
	if *spend != "" {
		id, mins, ok := strings.Cut(*spend, "=")
		n, err := strconv.ParseInt(strings.TrimSpace(mins), 10, 64)
		if !ok || err != nil {
			return usageErr("proposal create: --spend %q: want MEMBER_ID=MINUTES", *spend)
		}
		k, err := memberKey("spend", id)
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActSpend, Member: k, Amount: n})
	}
	if *remove != "" {
		k, err := memberKey("remove", *remove)
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActRemoveMember, Member: k})
	}
	if strings.TrimSpace(req.Title) == "" || req.Method == "" {
		return usageErr("proposal create: --title and --method are required")
	}
	req.Society = *soc
	return c.createProposal(req)
}

// councilActions adds the council actions of 'proposal create': rename,
// reparent and dissolve a sub-council (COUNCIL_ID=NAME, COUNCIL_ID=PARENT,
// COUNCIL_ID), admit a member (MEMBER_ID); empty flags add nothing.
func councilActions(req *node.ProposalRequest, rename, reparent, dissolve, admit string) error {
	pair := func(flagName, v, want string) (string, string, error) {
		a, b, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
			return "", "", usageErr("proposal create: --%s %q: want %s", flagName, v, want)
		}
		return strings.TrimSpace(a), strings.TrimSpace(b), nil
	}
	if rename != "" {
		id, name, err := pair("rename", rename, "COUNCIL_ID=NEW_NAME")
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActCouncilRename, Council: id, Name: name})
	}
	if reparent != "" {
		id, parent, err := pair("reparent", reparent, "COUNCIL_ID=NEW_PARENT_ID")
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActCouncilReparent, Council: id, Parent: parent})
	}
	if dissolve != "" {
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActCouncilDissolve, Council: strings.TrimSpace(dissolve)})
	}
	if admit != "" {
		k, err := memberKey("admit", admit)
		if err != nil {
			return err
		}
		req.Actions = append(req.Actions, governance.Action{Kind: governance.ActCouncilAdmit, Member: k})
	}
	return nil
}

// fundAction reads a --fund PROJECT=MEMBER_ID[:MINUTES]: a spend paying
// the member for a project of the budget (its cost unless MINUTES).
func fundAction(v string, options []governance.Option) (governance.Action, error) {
	project, rest, ok := strings.Cut(v, "=")
	id, mins, hasMins := strings.Cut(rest, ":")
	project = strings.TrimSpace(project)
	i := slices.IndexFunc(options, func(o governance.Option) bool { return o.Name == project })
	if !ok || project == "" {
		return governance.Action{}, usageErr("proposal create: --fund %q: want PROJECT=MEMBER_ID[:MINUTES]", v)
	}
	if i < 0 {
		return governance.Action{}, usageErr("proposal create: --fund names %q, which is not among --options", project)
	}
	k, err := memberKey("fund", id)
	if err != nil {
		return governance.Action{}, err
	}
	a := governance.Action{Kind: governance.ActSpend, Member: k, Project: project, Amount: options[i].Cost}
	if hasMins {
		if a.Amount, err = strconv.ParseInt(strings.TrimSpace(mins), 10, 64); err != nil {
			return governance.Action{}, usageErr("proposal create: --fund %q: MINUTES is a whole number", v)
		}
	}
	return a, nil
}

func (c *cli) cmdVote(args []string) error {
	fs := flag.NewFlagSet("vote", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	var req node.VoteRequest
	fs.StringVar(&req.Choice, "choice", "", "yes|no|abstain, consent|object, agree|abstain|disagree|block")
	fs.StringVar(&req.Reason, "reason", "", "why you object or block")
	approve := fs.String("approve", "", "options you approve, comma-separated")
	rank := fs.String("rank", "", "options most preferred first, comma-separated")
	shapes := map[string]*string{"score": fs.String("score", "", "scores: a=4,b=2"), "dots": fs.String("dots", "", "dots: a=3"),
		"credits": fs.String("credits", "", "quadratic votes: a=3 (costs 9 credits)")}
	pos, err := flags(fs, args, 1)
	if err != nil {
		return err
	}
	given := 0
	for _, v := range []string{req.Choice, *approve, *rank, *shapes["score"], *shapes["dots"], *shapes["credits"]} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return usageErr("vote: give exactly one of --choice, --approve, --rank, --score, --dots, --credits")
	}
	req.Society, req.ID = *soc, pos[0]
	if *approve != "" {
		req.Approve = splitList(*approve)
	}
	if *rank != "" {
		req.Rank = splitList(*rank)
	}
	for _, name := range []string{"score", "dots", "credits"} {
		if *shapes[name] != "" {
			if req.Points, err = parsePoints(name, *shapes[name]); err != nil {
				return err
			}
		}
	}
	return c.with(true, func(api node.API) error {
		p, err := api.Vote(req)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "voted on %q: now %s, %d of %d voted, result %s\n", p.Title, propStatus(*p), p.Ballots, p.Electorate, outcome(*p))
		return nil
	})
}

func (c *cli) cmdDelegate(args []string, give bool) error {
	name := "undelegate"
	if give {
		name = "delegate"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var req node.DelegateRequest
	fs.StringVar(&req.Society, "society", "", "society ID")
	fs.StringVar(&req.Council, "council", governance.Root, "the council")
	fs.StringVar(&req.Topic, "topic", "", "only proposals with this topic")
	if give {
		fs.StringVar(&req.To, "to", "", "the member (ID or name)")
	}
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if give && strings.TrimSpace(req.To) == "" {
		return usageErr("delegate: --to MEMBER is required")
	}
	return c.with(true, func(api node.API) error {
		var err error
		if give {
			err = api.Delegate(req)
		} else {
			err = api.Undelegate(req)
		}
		if err == nil {
			fmt.Fprintf(c.stdout, "%s: done\n", name)
		}
		return err
	})
}

func (c *cli) cmdDelegation(args []string) error {
	if len(args) < 1 || args[0] != "list" {
		return usageErr("delegation: want 'delegation list [--council ID] [--json]'")
	}
	fs := flag.NewFlagSet("delegation list", flag.ContinueOnError)
	var req node.DelegationsRequest
	fs.StringVar(&req.Society, "society", "", "society ID")
	fs.StringVar(&req.Council, "council", "", "only this council (every council by default)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args[1:], 0); err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		d, err := api.Delegations(req)
		if err != nil || *asJSON {
			return c.jsonOr(d, err)
		}
		for _, part := range []struct {
			head string
			ds   []node.DelegationInfo
			whom func(node.DelegationInfo) string
		}{
			{"You give your vote:", d.Given, func(x node.DelegationInfo) string { return "to " + x.ToName + " (" + x.To + ")" }},
			{"Members who give you their vote:", d.Received, func(x node.DelegationInfo) string { return x.FromName + " (" + x.From + ")" }},
		} {
			fmt.Fprintln(c.stdout, part.head)
			if len(part.ds) == 0 {
				fmt.Fprintln(c.stdout, "  none")
				continue
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  COUNCIL\tTOPIC\tMEMBER\tSINCE")
			for _, x := range part.ds {
				topic := x.Topic
				if topic == "" {
					topic = "(every topic)"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", x.CouncilName, topic, part.whom(x), x.Since)
			}
			tw.Flush()
		}
		return nil
	})
}

// actionText describes an action in a line.
func actionText(ai node.ActionInfo) string {
	a := ai.Action
	switch a.Kind {
	case governance.ActSettings:
		if s := a.Settings; s != nil {
			return fmt.Sprintf("settings: balances %d to %d minutes, reputation half-life %d days", s.MinBalance, s.MaxBalance, s.HalfLifeDays)
		}
	case governance.ActRemoveMember:
		return "remove member " + ai.MemberID
	case governance.ActSpend:
		return fmt.Sprintf("pay %s %d minutes from the community account", ai.MemberID, a.Amount)
	case governance.ActCouncilCreate:
		return fmt.Sprintf("create council %q (%s, %s)", a.Name, a.CKind, a.Membership)
	case governance.ActCouncilRename:
		return fmt.Sprintf("rename council %s to %q", a.Council, a.Name)
	case governance.ActCouncilReparent:
		return fmt.Sprintf("move council %s under %s", a.Council, a.Parent)
	case governance.ActCouncilDissolve:
		return "dissolve council " + a.Council
	case governance.ActCouncilAdmit:
		return "admit " + ai.MemberID + " to the council"
	case governance.ActCouncilCredits:
		return fmt.Sprintf("%d voice credits a month per member", a.Credits)
	case governance.ActCouncilWeight:
		if a.Weight == governance.WeightReputation {
			return fmt.Sprintf("votes weigh by reputation, at most %d", a.Cap)
		}
		return "votes weigh equally"
	}
	return a.Kind
}
