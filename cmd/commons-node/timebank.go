package main

// The time bank's commands: hours, balance, statement.

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commons-society/commons/ledger/timebank"
	"github.com/commons-society/commons/node"
)

const usageTimeBank = `  hours give --to MEMBER (--minutes N | --hours H) --skill S [--note T]
                                         you provided a service: each MEMBER pays you once
                                         they confirm; prints the transfer ID last
  hours pay --to MEMBER (--minutes N | --hours H) --skill S [--note T] [--from-pool]
                                         you received a service: you pay each MEMBER;
                                         '--to community' donates to the community account,
                                         --from-pool (founder) pays out of it
  hours pending [--json]                 transfers waiting for your answer, with their IDs
  hours confirm ID [--review satisfied|unsatisfied] [--review-note T] [--community]
  hours reject ID --reason R [--community]
                                         answer your part of a transfer (--community: the
                                         founder answering for the community account)
  hours dispute ID --reason R [--reverse] [--with MEMBER]
                                         contest a transfer; --reverse consents to undoing
                                         it, which happens once both sides consent
  hours show ID [--json]                 a transfer with its answers and disputes
  hours list [--limit N] [--json]        recent transfers you are party to
  balance [MEMBER|community] [--json]    time-bank balance (yours by default)
  statement [--member MEMBER] [--limit N] [--cursor C] [--csv|--json]
                                         statement, newest first, with running balance and
                                         a flag column (limit: past a credit limit; rev:
                                         a reversal); --csv and --json: all of it, oldest first
`

const usageTimeBankNotes = `
In the time bank, MEMBER is a member ID or an unambiguous display name, or
'community' for the community account. --to may be repeated or hold a
comma-separated list: one transfer with several members (a group session),
each moving the same minutes. --hours H (such as 1.5) may replace --minutes N.
The hours, balance and statement commands take --society ID.
`

// toFlag collects counterparties from repeated or comma-separated --to.
type toFlag []string

func (m *toFlag) String() string { return strings.Join(*m, ",") }

func (m *toFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

// printJSON writes v as indented JSON.
func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *cli) cmdHours(args []string) error {
	if len(args) < 1 {
		return usageErr("hours: want 'hours give|pay|pending|confirm|reject|dispute|show|list'")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("hours "+sub, flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	switch sub {
	case "give", "pay":
		return c.hoursPropose(fs, sub, soc, args)
	case "pending":
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := flags(fs, args, 0); err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			ps, err := api.PendingTransfers(node.SocietyRequest{Society: *soc})
			if err != nil {
				return err
			}
			if *asJSON {
				return c.printJSON(ps)
			}
			if len(ps) == 0 {
				fmt.Fprintln(c.stdout, "nothing waits for your answer")
			}
			for _, p := range ps {
				fmt.Fprintf(c.stdout, "%s  %s\n    %s\n", shortTime(p.Time), p.ID, pendingSentence(p))
			}
			return nil
		})
	case "confirm", "reject":
		var req node.AnswerRequest
		review := fs.String("review", "", "satisfied or unsatisfied (confirm only)")
		reviewNote := fs.String("review-note", "", "a few words of review (confirm only)")
		fs.StringVar(&req.Reason, "reason", "", "why (required to reject)")
		fs.BoolVar(&req.Community, "community", false, "founder: answer for the community account")
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		req.Society, req.ID, req.Accept = *soc, pos[0], sub == "confirm"
		if req.Accept {
			if req.Reason != "" {
				return usageErr("hours confirm: --reason goes with reject (a confirmation may carry --review)")
			}
			switch strings.ToLower(strings.TrimSpace(*review)) {
			case "":
				if *reviewNote != "" {
					req.Review = &timebank.TransferReview{Satisfied: true, Note: *reviewNote}
				}
			case "satisfied", "yes", "ok":
				req.Review = &timebank.TransferReview{Satisfied: true, Note: *reviewNote}
			case "unsatisfied", "no":
				req.Review = &timebank.TransferReview{Satisfied: false, Note: *reviewNote}
			default:
				return usageErr("hours confirm: --review is satisfied or unsatisfied, not %q", *review)
			}
		} else {
			if strings.TrimSpace(req.Reason) == "" {
				return usageErr("hours reject: --reason is required")
			}
			if *review != "" || *reviewNote != "" {
				return usageErr("hours reject: a review goes with confirm")
			}
		}
		return c.with(true, func(api node.API) error {
			ti, err := api.AnswerTransfer(req)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%sed: %s\n%s\n", strings.TrimSuffix(sub, "e"), transferSentence(ti), ti.ID)
			return nil
		})
	case "dispute":
		var req node.DisputeRequest
		fs.StringVar(&req.Reason, "reason", "", "why (required)")
		fs.BoolVar(&req.Reverse, "reverse", false, "consent to reversing the transfer")
		fs.StringVar(&req.With, "with", "", "the counterparty, when you are party to several legs")
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		if strings.TrimSpace(req.Reason) == "" {
			return usageErr("hours dispute: --reason is required")
		}
		req.Society, req.ID = *soc, pos[0]
		return c.with(true, func(api node.API) error {
			ti, err := api.DisputeTransfer(req)
			if err != nil {
				return err
			}
			msg := "dispute recorded"
			if req.Reverse {
				msg = "you consented to reversing it: it is undone once the other side consents too"
				for _, l := range ti.Legs {
					if l.Reversed {
						msg = "both sides consented: the transfer is reversed"
					}
				}
			}
			fmt.Fprintf(c.stdout, "%s\n%s\n%s\n", msg, transferSentence(ti), ti.ID)
			return nil
		})
	case "show":
		asJSON := fs.Bool("json", false, "print JSON")
		pos, err := flags(fs, args, 1)
		if err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			ti, err := api.Transfer(node.TransferIDRequest{Society: *soc, ID: pos[0]})
			if err != nil {
				return err
			}
			if *asJSON {
				return c.printJSON(ti)
			}
			c.showTransfer(ti)
			return nil
		})
	case "list":
		asJSON := fs.Bool("json", false, "print JSON")
		limit := fs.Int("limit", 20, "how many")
		if _, err := flags(fs, args, 0); err != nil {
			return err
		}
		if *limit < 1 {
			return usageErr("hours list: --limit must be at least 1")
		}
		return c.with(false, func(api node.API) error {
			ts, err := api.Transfers(node.TransfersRequest{Society: *soc, Limit: *limit})
			if err != nil {
				return err
			}
			if *asJSON {
				return c.printJSON(ts)
			}
			if len(ts) == 0 {
				fmt.Fprintln(c.stdout, "no transfers yet")
			}
			for i := range ts {
				fmt.Fprintf(c.stdout, "%s  %s\n    %s\n", shortTime(ts[i].Time), ts[i].ID, transferSentence(&ts[i]))
			}
			return nil
		})
	}
	return usageErr("hours: unknown subcommand %q (give, pay, pending, confirm, reject, dispute, show, list)", sub)
}

// hoursPropose runs 'hours give' and 'hours pay'.
func (c *cli) hoursPropose(fs *flag.FlagSet, mode string, soc *string, args []string) error {
	var to toFlag
	fs.Var(&to, "to", "member ID or name, or community (repeatable, or comma-separated)")
	minutes := fs.Int64("minutes", 0, "minutes with each member")
	hours := fs.String("hours", "", "hours with each member, such as 1.5 (instead of --minutes)")
	skill := fs.String("skill", "", "the skill or service")
	note := fs.String("note", "", "a few words")
	pool := false
	if mode == timebank.ModePay {
		fs.BoolVar(&pool, "from-pool", false, "founder: pay out of the community account")
	}
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	name := "hours " + mode
	if len(to) == 0 {
		return usageErr("%s: --to MEMBER is required", name)
	}
	if strings.TrimSpace(*skill) == "" {
		return usageErr("%s: --skill is required", name)
	}
	n := *minutes
	switch {
	case *hours != "" && n != 0:
		return usageErr("%s: give --minutes or --hours, not both", name)
	case *hours != "":
		h, err := strconv.ParseFloat(strings.TrimSpace(*hours), 64)
		if err != nil || math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 || h*60 > timebank.MaxLegMinutes {
			return usageErr("%s: --hours %q is not a number of hours from 1 minute to %s", name, *hours, timebank.FormatMinutes(timebank.MaxLegMinutes))
		}
		n = int64(math.Round(h * 60))
	}
	if n < 1 || n > timebank.MaxLegMinutes {
		return usageErr("%s: --minutes (or --hours) must be 1 to %d minutes", name, timebank.MaxLegMinutes)
	}
	req := node.TransferRequest{Society: *soc, Mode: mode, To: to, Minutes: n, Skill: *skill, Note: *note, Pool: pool}
	return c.with(true, func(api node.API) error {
		ti, err := api.ProposeTransfer(req)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, transferSentence(ti))
		var waiting []string
		for _, l := range ti.Legs {
			if l.State == timebank.StatePending {
				waiting = append(waiting, l.Name)
			}
		}
		if len(waiting) > 0 {
			fmt.Fprintf(c.stdout, "waiting for %s to confirm\n", strings.Join(waiting, ", "))
		}
		fmt.Fprintln(c.stdout, ti.ID)
		return nil
	})
}

// sideName names one side of a leg of a transfer.
func sideName(ti *node.TransferInfo, l node.LegInfo, id string) string {
	switch id {
	case node.CommunityAccount:
		return "the community account"
	case l.Member:
		return l.Name
	case ti.Proposer:
		return ti.ProposerName
	}
	return id
}

// legSentence says what one leg moves and its state.
func legSentence(ti *node.TransferInfo, l node.LegInfo) string {
	s := fmt.Sprintf("%s pays %s %s", sideName(ti, l, l.Payer), sideName(ti, l, l.Provider), timebank.FormatMinutes(l.Minutes))
	switch {
	case l.Reversed:
		s += " (reversed)"
	case l.State == timebank.StateRejected:
		s += fmt.Sprintf(" (rejected: %s)", l.Reason)
	default:
		s += " (" + l.State + ")"
	}
	return s
}

// transferSentence says what a transfer moves, leg by leg.
func transferSentence(ti *node.TransferInfo) string {
	legs := make([]string, len(ti.Legs))
	for i, l := range ti.Legs {
		legs[i] = legSentence(ti, l)
	}
	s := strings.Join(legs, "; ") + " for " + ti.Skill
	if ti.Note != "" {
		s += ": " + ti.Note
	}
	return s
}

// pendingSentence says what confirming a pending transfer does.
func pendingSentence(p node.PendingInfo) string {
	who := "you"
	if p.Account == node.CommunityAccount {
		who = "the community account (you answer for it)"
	}
	other := p.ProposerName
	if p.Pool {
		other = "the community account"
	}
	var s string
	if p.Minutes < 0 {
		s = fmt.Sprintf("%s would pay %s %s for %s", who, other, timebank.FormatMinutes(-p.Minutes), p.Skill)
	} else {
		s = fmt.Sprintf("%s would receive %s from %s for %s", who, timebank.FormatMinutes(p.Minutes), other, p.Skill)
	}
	if p.Note != "" {
		s += ": " + p.Note
	}
	if len(p.Legs) > 1 {
		s += fmt.Sprintf(" (a group session of %d)", len(p.Legs))
	}
	return s
}

// shortTime writes an API time (RFC 3339) as minutes in UTC.
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func (c *cli) showTransfer(ti *node.TransferInfo) {
	w := c.stdout
	kind := ti.Mode
	if ti.Pool {
		kind += ", out of the community account"
	}
	fmt.Fprintf(w, "transfer %s\n  proposed  %s by %s (%s)\n  skill     %s\n", ti.ID, shortTime(ti.Time), ti.ProposerName, kind, ti.Skill)
	if ti.Note != "" {
		fmt.Fprintf(w, "  note      %s\n", ti.Note)
	}
	for _, l := range ti.Legs {
		fmt.Fprintf(w, "  %s\n", legSentence(ti, l))
		if l.Review != nil {
			verdict := "satisfied"
			if !l.Review.Satisfied {
				verdict = "unsatisfied"
			}
			fmt.Fprintf(w, "    review: %s", verdict)
			if l.Review.Note != "" {
				fmt.Fprintf(w, ": %s", l.Review.Note)
			}
			fmt.Fprintln(w)
		}
		for _, d := range l.Disputes {
			rev := ""
			if d.Reverse {
				rev = " (consents to reversing)"
			}
			fmt.Fprintf(w, "    disputed %s by %s%s: %s\n", shortTime(d.Time), d.ByName, rev, d.Reason)
		}
	}
}

func (c *cli) cmdBalance(args []string) error {
	fs := flag.NewFlagSet("balance", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := flags(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("balance: want at most one MEMBER, got %d", len(pos))
	}
	req := node.BalanceRequest{Society: *soc}
	if len(pos) == 1 {
		req.Member = pos[0]
	}
	return c.with(false, func(api node.API) error {
		b, err := api.Balance(req)
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(b)
		}
		limits := "cannot go below " + timebank.FormatMinutes(b.MinMinutes) // the community account: no ceiling
		if b.MaxMinutes != nil {
			limits = fmt.Sprintf("limits %s to %s", timebank.FormatMinutes(b.MinMinutes), timebank.FormatMinutes(*b.MaxMinutes))
		}
		fmt.Fprintf(c.stdout, "%s: %s (%s)\n", b.Name, b.Display, limits)
		return nil
	})
}

func (c *cli) cmdStatement(args []string) error {
	fs := flag.NewFlagSet("statement", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	member := fs.String("member", "", "whose statement (yours by default)")
	limit := fs.Int("limit", 50, "lines per page")
	cursor := fs.String("cursor", "", "continue from an earlier page")
	asCSV := fs.Bool("csv", false, "the whole statement as CSV, oldest first")
	asJSON := fs.Bool("json", false, "the whole statement as JSON, oldest first")
	pos, err := flags(fs, args, -1)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 1 || (len(pos) == 1 && *member != ""):
		return usageErr("statement: name one member (--member MEMBER)")
	case *asCSV && *asJSON:
		return usageErr("statement: --csv or --json, not both")
	case *limit < 1:
		return usageErr("statement: --limit must be at least 1")
	}
	if len(pos) == 1 {
		*member = pos[0]
	}
	all := *asCSV || *asJSON
	if all && *cursor != "" {
		return usageErr("statement: --csv and --json give the whole statement; --cursor pages the table")
	}
	req := node.StatementRequest{Society: *soc, Member: *member, All: all, Limit: *limit, Cursor: *cursor}
	return c.with(false, func(api node.API) error {
		st, err := api.Statement(req)
		if err != nil {
			return err
		}
		switch {
		case *asJSON:
			return c.printJSON(st)
		case *asCSV:
			return node.WriteStatementCSV(c.stdout, st)
		}
		fmt.Fprintf(c.stdout, "%s: balance %s\n", st.Name, timebank.FormatMinutes(st.Balance))
		if len(st.Lines) == 0 {
			fmt.Fprintln(c.stdout, "no statement lines")
			return nil
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tHOURS\tBALANCE\tFLAG\tWITH\tSKILL\tNOTE\tTRANSFER")
		for _, l := range st.Lines {
			var marks []string
			if l.Flagged {
				marks = append(marks, "limit")
			}
			if l.Reversal {
				marks = append(marks, "rev")
			}
			if l.Void {
				marks = append(marks, "void")
			}
			f := strings.Join(marks, ",")
			if f == "" {
				f = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortTime(l.Time), signed(l.Minutes), timebank.FormatMinutes(l.Balance),
				f, l.CounterpartyName, l.Skill, oneLine(l.Note), l.Transfer)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if st.Next != "" {
			fmt.Fprintf(c.stdout, "older lines: statement --cursor %s\n", st.Next)
		}
		return nil
	})
}

// signed writes minutes as hours with a sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + timebank.FormatMinutes(n)
	}
	return timebank.FormatMinutes(n)
}

// oneLine keeps a note on one table line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	return s
}
