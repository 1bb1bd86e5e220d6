package node

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// statementCSVHeader names the columns of a statement written as CSV.
var statementCSVHeader = []string{"time", "transfer", "counterparty", "counterparty_name", "skill", "note",
	"minutes", "balance", "flagged", "reversal"}

// StatementCSVHeader returns the column names WriteStatementCSV writes
// first.
func StatementCSVHeader() []string {
	return append([]string(nil), statementCSVHeader...)
}

// WriteStatementCSV writes a statement as CSV: the StatementCSVHeader
// line, then one line per statement line, in the statement's order
// (oldest first for a whole statement). Minutes and balances are whole
// minutes; times are RFC 3339 in UTC, as in StatementLineInfo.
func WriteStatementCSV(w io.Writer, st *StatementInfo) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(statementCSVHeader); err != nil {
		return fmt.Errorf("node: write statement CSV: %w", err)
	}
	for _, l := range st.Lines {
		if err := cw.Write([]string{l.Time, l.Transfer, l.Counterparty, l.CounterpartyName, l.Skill, l.Note,
			strconv.FormatInt(l.Minutes, 10), strconv.FormatInt(l.Balance, 10),
			strconv.FormatBool(l.Flagged), strconv.FormatBool(l.Reversal)}); err != nil {
			return fmt.Errorf("node: write statement CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("node: write statement CSV: %w", err)
	}
	return nil
}
