package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/commons-society/commons/ledger/timebank"
	"github.com/commons-society/commons/node"
)

// cmdTreasury prints the community account: its balance, what came in and
// what went out, each spend with the proposal that decided it.
func (c *cli) cmdTreasury(args []string) error {
	fs := flag.NewFlagSet("treasury", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		t, err := api.Treasury(node.SocietyRequest{Society: *soc})
		if err != nil || *asJSON {
			return c.jsonOr(t, err)
		}
		fmt.Fprintf(c.stdout, "community account: %s (in %s, out %s)\n", timebank.FormatMinutes(t.Balance),
			timebank.FormatMinutes(t.In), timebank.FormatMinutes(t.Out))
		for _, l := range t.Lines {
			when := time.UnixMilli(int64(l.Time)).UTC().Format("2006-01-02 15:04")
			who := t.Names[l.Member]
			if who == "" {
				who = l.Member
			}
			dir := "from"
			if l.Minutes < 0 {
				dir = "to"
			}
			why := "transfer " + l.Transfer
			if l.Proposal != "" {
				why = "decided by proposal " + l.Proposal
				if l.Project != "" {
					why += ", project " + l.Project
				}
			}
			fmt.Fprintf(c.stdout, "%s  %+8d min  %s %s  %s\n", when, l.Minutes, dir, who, why)
		}
		return nil
	})
}
