package main

// The contribution ledger's commands: contrib, cv.

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/reputation"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/commons-society/commons/node"
)

const usageContrib = `  contrib add --what T --skill S (--minutes N | --hours H)
              [--date YYYY-MM-DD] [--link URL] [--for MEMBER]... [--guild G]
                                         record work you did (--date: today by default;
                                         --for: whom it was for); prints the
                                         contribution ID last
  contrib review ID --quality Q --impact I [--note T]
                                         rate another member's contribution, 1 to 5 each;
                                         a new review replaces your earlier one
  contrib list [--member MEMBER] [--skill S] [--limit N] [--json]
                                         contributions, newest first, with their reviews
  contrib show ID [--json]               a contribution with its reviews
  cv [MEMBER] [--json|--csv|--jsonld]    a member's CV (yours by default): hours and
                                         reputation per skill, contributions, reviews,
                                         time-bank services; --jsonld: ValueFlows JSON-LD
`

const usageContribNotes = `
In contrib and cv, MEMBER is a member ID or an unambiguous display name;
--for may be repeated or hold a comma-separated list, and 'community' names
the community account. --hours H (such as 1.5) may replace --minutes N. The
contrib and cv commands take --society ID.
`

// minutesOf reads --minutes N or --hours H (one of the two) as 1 to max
// minutes.
func minutesOf(name string, minutes int64, hours string, max int64) (int64, error) {
	n := minutes
	switch {
	case hours != "" && n != 0:
		return 0, usageErr("%s: give --minutes or --hours, not both", name)
	case hours != "":
		h, err := strconv.ParseFloat(strings.TrimSpace(hours), 64)
		if err != nil || math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 || h*60 > float64(max) {
			return 0, usageErr("%s: --hours %q is not a number of hours from 1 minute to %s", name, hours, timebank.FormatMinutes(max))
		}
		n = int64(math.Round(h * 60))
	}
	if n < 1 || n > max {
		return 0, usageErr("%s: --minutes (or --hours) must be 1 to %d minutes (%s)", name, max, timebank.FormatMinutes(max))
	}
	return n, nil
}

func (c *cli) cmdContrib(args []string) error {
	if len(args) < 1 {
		return usageErr("contrib: want 'contrib add|review|list|show'")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("contrib "+sub, flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	switch sub {
	case "add":
		return c.contribAdd(fs, soc, args)
	case "review":
		return c.contribReview(fs, soc, args)
	case "list":
		member := fs.String("member", "", "only this member's (ID or name)")
		skill := fs.String("skill", "", "only this skill")
		limit := fs.Int("limit", 50, "how many")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := flags(fs, args, 0); err != nil {
			return err
		}
		if *limit < 1 {
			return usageErr("contrib list: --limit must be at least 1")
		}
		req := node.ContributionsRequest{Society: *soc, Member: *member, Skill: *skill, Limit: *limit}
		return c.with(false, func(api node.API) error {
			cs, err := api.Contributions(req)
			if err != nil {
				return err
			}
			if *asJSON {
				return c.printJSON(cs)
			}
			if len(cs) == 0 {
				fmt.Fprintln(c.stdout, "no contributions found")
			}
			for i := range cs {
				fmt.Fprintf(c.stdout, "%s\n    %s\n", contribSentence(&cs[i]), contribDetails(&cs[i]))
			}
			return nil
		})
	case "show":
		asJSON := fs.Bool("json", false, "print JSON")
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			ci, err := api.Contribution(node.ContributionIDRequest{Society: *soc, ID: pos[0]})
			if err != nil {
				return err
			}
			if *asJSON {
				return c.printJSON(ci)
			}
			c.showContribution(ci)
			return nil
		})
	}
	return usageErr("contrib: unknown subcommand %q (add, review, list, show)", sub)
}

// contribAdd runs 'contrib add'.
func (c *cli) contribAdd(fs *flag.FlagSet, soc *string, args []string) error {
	var req node.ContributionRequest
	var to toFlag
	fs.StringVar(&req.What, "what", "", "what you did")
	fs.StringVar(&req.Skill, "skill", "", "the skill")
	minutes := fs.Int64("minutes", 0, "how long, in minutes")
	hours := fs.String("hours", "", "how long, in hours such as 1.5 (instead of --minutes)")
	fs.StringVar(&req.Date, "date", "", "the day of the work, YYYY-MM-DD (default: today)")
	fs.StringVar(&req.Link, "link", "", "an http(s) link to evidence")
	fs.Var(&to, "for", "whom it was for: member ID or name, or community (repeatable, or comma-separated)")
	fs.StringVar(&req.Guild, "guild", "", "the group it was done for")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	const name = "contrib add"
	if strings.TrimSpace(req.What) == "" {
		return usageErr("%s: --what is required", name)
	}
	if strings.TrimSpace(req.Skill) == "" {
		return usageErr("%s: --skill is required", name)
	}
	n, err := minutesOf(name, *minutes, *hours, contrib.MaxContributionMinutes)
	if err != nil {
		return err
	}
	if req.Date != "" {
		if d, err := time.Parse(contrib.DateLayout, req.Date); err != nil || d.Format(contrib.DateLayout) != req.Date {
			return usageErr("%s: --date %q is not a day written YYYY-MM-DD", name, req.Date)
		}
	}
	req.Society, req.Minutes, req.For = *soc, n, to
	return c.with(true, func(api node.API) error {
		ci, err := api.AddContribution(req)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "recorded: %s\n%s\n", contribSentence(ci), ci.ID)
		return nil
	})
}

// contribReview runs 'contrib review'.
func (c *cli) contribReview(fs *flag.FlagSet, soc *string, args []string) error {
	var req node.ReviewRequest
	fs.IntVar(&req.Quality, "quality", 0, "how well it was done, 1 to 5")
	fs.IntVar(&req.Impact, "impact", 0, "how much it mattered, 1 to 5")
	fs.StringVar(&req.Note, "note", "", "a few words")
	pos, err := flags(fs, args, 1)
	if err != nil {
		return err
	}
	for _, r := range []struct {
		flag string
		v    int
	}{{"quality", req.Quality}, {"impact", req.Impact}} {
		if r.v < contrib.MinRating || r.v > contrib.MaxRating {
			return usageErr("contrib review: --%s %d to %d is required (got %d)", r.flag, contrib.MinRating, contrib.MaxRating, r.v)
		}
	}
	req.Society, req.ID = *soc, pos[0]
	return c.with(true, func(api node.API) error {
		ci, err := api.ReviewContribution(req)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "reviewed %s: quality %d, impact %d\n", contribSentence(ci), req.Quality, req.Impact)
		if old := ci.Replaced; old != nil {
			fmt.Fprintf(c.stdout, "this replaces your earlier review of %s (quality %d, impact %d)\n", shortTime(old.Time), old.Quality, old.Impact)
		}
		fmt.Fprintln(c.stdout, ci.ID)
		return nil
	})
}

// contribSentence says who did what, when.
func contribSentence(ci *node.ContributionInfo) string {
	return fmt.Sprintf("%s: %s (%s, %s on %s)", ci.MemberName, oneLine(ci.What), ci.Skill,
		timebank.FormatMinutes(int64(ci.Minutes)), ci.Date)
}

// forList names the beneficiaries of a contribution.
func forList(refs []node.AccountRef) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Name
		if r.ID == node.CommunityAccount {
			names[i] = "the community account"
		}
	}
	return strings.Join(names, ", ")
}

// reviewSummary says how a contribution was rated.
func reviewSummary(n int, quality, impact float64) string {
	switch n {
	case 0:
		return "not reviewed"
	case 1:
		return fmt.Sprintf("1 review: quality %s, impact %s", rating(quality), rating(impact))
	}
	return fmt.Sprintf("%d reviews: quality %s, impact %s on average", n, rating(quality), rating(impact))
}

// rating writes a mean rating with at most two decimals.
func rating(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// contribDetails is a list line's second line.
func contribDetails(ci *node.ContributionInfo) string {
	var parts []string
	if len(ci.For) > 0 {
		parts = append(parts, "for "+forList(ci.For))
	}
	if ci.Guild != "" {
		parts = append(parts, "guild "+ci.Guild)
	}
	parts = append(parts, reviewSummary(len(ci.Reviews), ci.AvgQuality, ci.AvgImpact), ci.ID)
	return strings.Join(parts, "; ")
}

func (c *cli) showContribution(ci *node.ContributionInfo) {
	w := c.stdout
	fmt.Fprintf(w, "contribution %s\n  by        %s (%s)\n  what      %s\n  skill     %s\n  time      %s on %s\n",
		ci.ID, ci.MemberName, ci.Member, ci.What, ci.Skill, timebank.FormatMinutes(int64(ci.Minutes)), ci.Date)
	if len(ci.For) > 0 {
		fmt.Fprintf(w, "  for       %s\n", forList(ci.For))
	}
	if ci.Guild != "" {
		fmt.Fprintf(w, "  guild     %s\n", ci.Guild)
	}
	if ci.Link != "" {
		fmt.Fprintf(w, "  link      %s\n", ci.Link)
	}
	fmt.Fprintf(w, "  recorded  %s\n  reviews   %s\n", shortTime(ci.Recorded), reviewSummary(len(ci.Reviews), ci.AvgQuality, ci.AvgImpact))
	for _, r := range ci.Reviews {
		fmt.Fprintf(w, "    %s, %s: quality %d, impact %d", r.ReviewerName, shortTime(r.Time), r.Quality, r.Impact)
		if r.Note != "" {
			fmt.Fprintf(w, ": %s", r.Note)
		}
		fmt.Fprintln(w)
	}
}

func (c *cli) cmdCV(args []string) error {
	fs := flag.NewFlagSet("cv", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "the CV as JSON")
	asCSV := fs.Bool("csv", false, "the CV's hours as CSV")
	asLD := fs.Bool("jsonld", false, "the CV as ValueFlows JSON-LD")
	pos, err := flags(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("cv: want at most one MEMBER, got %d", len(pos))
	}
	formats := 0
	for _, b := range []bool{*asJSON, *asCSV, *asLD} {
		if b {
			formats++
		}
	}
	if formats > 1 {
		return usageErr("cv: one of --json, --csv, --jsonld")
	}
	req := node.CVRequest{Society: *soc}
	if len(pos) == 1 {
		req.Member = pos[0]
	}
	return c.with(false, func(api node.API) error {
		res, err := api.CV(req)
		if err != nil {
			return err
		}
		switch {
		case *asJSON:
			return c.printJSON(res.CV)
		case *asCSV:
			return reputation.WriteCVCSV(c.stdout, res.CV, nil)
		case *asLD:
			return c.printJSON(reputation.CVJSONLD(res.CV, nil))
		}
		return writeCV(c.stdout, res)
	})
}

// hoursText writes hours that are whole minutes as hours and minutes.
func hoursText(h float64) string { return timebank.FormatMinutes(int64(math.Round(h * 60))) }

// writeCV writes a CV as readable text.
func writeCV(w io.Writer, res *node.CVResult) error {
	cv := &res.CV
	name := func(id string) string {
		if id == reputation.CommunityID {
			return "the community account"
		}
		if n := res.Names[id]; n != "" {
			return n
		}
		return id
	}
	fmt.Fprintf(w, "CV of %s (%s), %s\n", cv.Name, cv.MemberID, cv.Status)
	if cv.Bio != "" {
		fmt.Fprintf(w, "  bio         %s\n", oneLine(cv.Bio))
	}
	if len(cv.Skills) > 0 {
		fmt.Fprintf(w, "  skills      %s\n", strings.Join(cv.Skills, ", "))
	}
	fmt.Fprintf(w, "  hours       %s: %s of contributions, %s in the time bank\n",
		hoursText(cv.TotalHours), hoursText(cv.ContributionHours), hoursText(cv.TimeBankHours))
	fmt.Fprintf(w, "  reputation  score %.2f from %.2f decayed hours, as of %s (half-life %d days)\n",
		cv.Score, cv.DecayedHours, cv.AsOf.UTC().Format(contrib.DateLayout), cv.HalfLifeDays)
	if cv.Satisfied+cv.Unsatisfied > 0 {
		fmt.Fprintf(w, "  services    %d satisfied, %d unsatisfied\n", cv.Satisfied, cv.Unsatisfied)
	}
	if len(cv.Reputation) > 0 {
		fmt.Fprintln(w, "\nby skill")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SKILL\tHOURS\tCONTRIBUTIONS\tTIME BANK\tDECAYED\tREVIEWS\tQUALITY\tIMPACT\tSCORE")
		for _, s := range cv.Reputation {
			// Unreviewed work is weighted as average (3), which is no rating.
			reviews, quality, impact := "no reviews", "-", "-"
			if s.Reviews > 0 {
				reviews, quality, impact = strconv.Itoa(s.Reviews), fmt.Sprintf("%.2f", s.AvgQuality), fmt.Sprintf("%.2f", s.AvgImpact)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.2f h\t%s\t%s\t%s\t%.2f\n", s.Skill, hoursText(s.Hours),
				hoursText(s.ContributionHours), hoursText(s.TimeBankHours), s.DecayedHours, reviews, quality, impact, s.Score)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(cv.Contributions) > 0 {
		fmt.Fprintln(w, "\ncontributions")
		for _, ct := range cv.Contributions {
			fmt.Fprintf(w, "  %s  %s, %s: %s\n", ct.Date, ct.Skill, timebank.FormatMinutes(int64(ct.Minutes)), oneLine(ct.What))
			var parts []string
			if len(ct.BeneficiaryIDs) > 0 {
				names := make([]string, len(ct.BeneficiaryIDs))
				for i, id := range ct.BeneficiaryIDs {
					names[i] = name(id)
				}
				parts = append(parts, "for "+strings.Join(names, ", "))
			}
			if ct.Guild != "" {
				parts = append(parts, "guild "+ct.Guild)
			}
			if ct.Link != "" {
				parts = append(parts, ct.Link)
			}
			parts = append(parts, reviewSummary(int(ct.Reviews), ct.AvgQuality, ct.AvgImpact), ct.ID)
			fmt.Fprintf(w, "      %s\n", strings.Join(parts, "; "))
		}
	}
	if len(cv.TimeBank) > 0 {
		fmt.Fprintln(w, "\nservices in the time bank")
		for _, l := range cv.TimeBank {
			fmt.Fprintf(w, "  %s  %s, %s for %s", l.Time.UTC().Format(contrib.DateLayout), l.Skill,
				timebank.FormatMinutes(int64(l.Minutes)), name(l.CounterpartyID))
			if l.Note != "" {
				fmt.Fprintf(w, ": %s", oneLine(l.Note))
			}
			if l.Review != nil {
				verdict := "satisfied"
				if !l.Review.Satisfied {
					verdict = "unsatisfied"
				}
				fmt.Fprintf(w, " (%s", verdict)
				if l.Review.Note != "" {
					fmt.Fprintf(w, ": %s", oneLine(l.Review.Note))
				}
				fmt.Fprint(w, ")")
			}
			fmt.Fprintln(w)
		}
	}
	if len(cv.Reviews) > 0 {
		what := map[string]string{}
		for _, ct := range cv.Contributions {
			what[ct.ID] = ct.What
		}
		fmt.Fprintln(w, "\nreviews received")
		for _, r := range cv.Reviews {
			fmt.Fprintf(w, "  %s  %s on %q: quality %d, impact %d", r.Time.UTC().Format(contrib.DateLayout), name(r.ReviewerID),
				oneLine(what[r.Contribution]), r.Quality, r.Impact)
			if r.Note != "" {
				fmt.Fprintf(w, ": %s", oneLine(r.Note))
			}
			fmt.Fprintln(w)
		}
	}
	if len(cv.Contributions) == 0 && len(cv.TimeBank) == 0 {
		fmt.Fprintln(w, "\nno contributions or time-bank services yet")
	}
	return nil
}
