package main

// The society's commands: invite list, activity, society settings.

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/commons-society/commons/ledger/timebank"
	"github.com/commons-society/commons/node"
)

const usageApp = `  invite list [--json]                   the invites this device made and their state
                                         (a code is shown only when its invite is made)
  activity [--limit N] [--json]          what happened lately in the society, newest first
  society settings [--min-hours H] [--max-hours H] [--half-life-days D] [--json]
                                         the society's credit limits and reputation
                                         half-life; with flags, the founder changes them
`

// cmdInviteList runs 'invite list'.
func (c *cli) cmdInviteList(args []string) error {
	fs := flag.NewFlagSet("invite list", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		invs, err := api.Invites(node.SocietyRequest{Society: *soc})
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(invs)
		}
		if len(invs) == 0 {
			fmt.Fprintln(c.stdout, "this device made no invites yet: 'commons-node invite'")
		}
		for _, iv := range invs {
			fmt.Fprintf(c.stdout, "%-8s %d of %d used  made %s  expires %s\n    %s\n",
				iv.State, iv.Used, iv.Uses, shortTime(iv.Created), shortTime(iv.Expires), iv.ID)
		}
		return nil
	})
}

// cmdActivity runs 'activity'.
func (c *cli) cmdActivity(args []string) error {
	fs := flag.NewFlagSet("activity", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	limit := fs.Int("limit", 20, "how many items")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if *limit < 1 || *limit > 500 {
		return usageErr("activity: --limit must be 1 to 500")
	}
	return c.with(false, func(api node.API) error {
		items, err := api.Activity(node.ActivityRequest{Society: *soc, Limit: *limit})
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(items)
		}
		if len(items) == 0 {
			fmt.Fprintln(c.stdout, "nothing yet")
		}
		for _, it := range items {
			fmt.Fprintf(c.stdout, "%s  %s\n", shortTime(it.Time), it.Text)
		}
		return nil
	})
}

// hoursFlag parses a number of hours (such as -20 or 1.5) into minutes.
type hoursFlag struct{ minutes *int64 }

func (h *hoursFlag) String() string {
	if h.minutes == nil {
		return ""
	}
	return strconv.FormatFloat(float64(*h.minutes)/60, 'f', -1, 64)
}

func (h *hoursFlag) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
		return fmt.Errorf("%q is not a number of hours", s)
	}
	m := int64(math.Round(f * 60))
	h.minutes = &m
	return nil
}

// settingsJSON is what 'society settings --json' prints.
type settingsJSON struct {
	Society  string               `json:"society"`
	Name     string               `json:"name"`
	Founder  bool                 `json:"founder"`
	Settings node.SocietySettings `json:"settings"`
}

// cmdSocietySettings runs 'society settings'.
func (c *cli) cmdSocietySettings(args []string) error {
	fs := flag.NewFlagSet("society settings", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	var lo, hi hoursFlag
	fs.Var(&lo, "min-hours", "lowest balance allowed, in hours (zero or below)")
	fs.Var(&hi, "max-hours", "highest balance allowed, in hours (zero or above)")
	var halfLife *uint64
	fs.Func("half-life-days", "reputation half-life, in days", func(s string) error {
		d, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number of days", s)
		}
		halfLife = &d
		return nil
	})
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	change := lo.minutes != nil || hi.minutes != nil || halfLife != nil
	return c.with(change, func(api node.API) error {
		if change {
			err := api.SetSocietySettings(node.SettingsRequest{Society: *soc, MinBalanceMinutes: lo.minutes,
				MaxBalanceMinutes: hi.minutes, HalfLifeDays: halfLife})
			if err != nil {
				return err
			}
		}
		st, err := api.Status()
		if err != nil {
			return err
		}
		s, err := pickSociety(st, *soc)
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(settingsJSON{Society: s.ID, Name: s.Name, Founder: s.Founder, Settings: s.Settings})
		}
		if change {
			fmt.Fprintln(c.stdout, "settings changed")
		}
		fmt.Fprintf(c.stdout, "society    %s\nbalances   from %s to %s\nhalf-life  %d days (reputation)\n",
			s.Name, timebank.FormatMinutes(s.Settings.MinBalance), timebank.FormatMinutes(s.Settings.MaxBalance), s.Settings.HalfLifeDays)
		if s.Founder {
			fmt.Fprintln(c.stdout, "you founded it: you may change these")
		}
		return nil
	})
}

// pickSociety finds a society of a status by ID, or the only one.
func pickSociety(st *node.Status, id string) (*node.SocietyStatus, error) {
	for i := range st.Societies {
		if id == "" && len(st.Societies) == 1 || st.Societies[i].ID == id {
			return &st.Societies[i], nil
		}
	}
	switch {
	case id != "":
		return nil, fmt.Errorf("%w: %s", node.ErrNoSociety, id)
	case len(st.Societies) == 0:
		return nil, fmt.Errorf("%w: create one or join one first", node.ErrNoSociety)
	}
	return nil, node.ErrWhichSociety
}
