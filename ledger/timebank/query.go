package timebank

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// FormatMinutes writes minutes as hours and minutes: "-1 h 30 min".
func FormatMinutes(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	switch {
	case n%60 == 0:
		return fmt.Sprintf("%s%d h", sign, n/60)
	case n < 60:
		return fmt.Sprintf("%s%d min", sign, n)
	}
	return fmt.Sprintf("%s%d h %d min", sign, n/60, n%60)
}

// Balance returns an account's balance.
func Balance(r *crdt.Reader, acct []byte) (BalanceView, error) {
	var b BalanceView
	_, err := ledger.Get(r, kBalance+ledger.Account(acct), &b)
	return b, err
}

// CheckLimit returns an ErrLimit error, saying why, when moving delta
// minutes would take the account past its limits.
func CheckLimit(r *crdt.Reader, acct []byte, delta int64) error {
	s, err := membership.Society(r)
	if err != nil {
		return err
	}
	b, err := Balance(r, acct)
	if err != nil {
		return err
	}
	return LimitError(acct, b.Minutes, delta, s.Settings)
}

// LimitError is CheckLimit for a given balance and settings (for front ends
// that add the effects of decisions to what the time bank records).
func LimitError(acct []byte, balance, delta int64, s membership.Settings) error {
	lo, hi, capped := s.Limits(acct)
	after := balance + delta
	switch {
	case delta < 0 && after < lo:
		return refusal.New(ErrLimit, "the balance would go from %s to %s, below the society's minimum of %s",
			FormatMinutes(balance), FormatMinutes(after), FormatMinutes(lo))
	case delta > 0 && capped && after > hi:
		return refusal.New(ErrLimit, "the balance would go from %s to %s, above the society's maximum of %s",
			FormatMinutes(balance), FormatMinutes(after), FormatMinutes(hi))
	}
	return nil
}

// TotalBalance returns the sum of every account's balance, the community
// account included; it is zero in a consistent store.
func TotalBalance(r *crdt.Reader) (int64, error) {
	var sum int64
	err := r.Scan(kBalance, func(_ string, v []byte) error {
		var b BalanceView
		if err := crdt.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("%w: balance view: %v", crdt.ErrCorrupt, err)
		}
		sum += b.Minutes
		return nil
	})
	return sum, err
}

// Accounts returns every account with a balance or statement lines, in key
// order, with their balances.
func Accounts(r *crdt.Reader) ([][]byte, []BalanceView, error) {
	var accts [][]byte
	var bals []BalanceView
	err := r.Scan(kBalance, func(k string, v []byte) error {
		var b BalanceView
		if err := crdt.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("%w: balance view: %v", crdt.ErrCorrupt, err)
		}
		a := k[len(kBalance):]
		if len(a) == 0 || int(a[0]) != len(a)-1 {
			return fmt.Errorf("%w: balance key", crdt.ErrCorrupt)
		}
		accts = append(accts, []byte(a[1:]))
		bals = append(bals, b)
		return nil
	})
	return accts, bals, err
}

// StatementLine is a statement entry with the running balance after it.
type StatementLine struct {
	StatementEntry
	// Balance is the account's balance after this line.
	Balance int64
	// Flagged is set when this line took the balance past a limit: every
	// peer holding the same records flags the same lines.
	Flagged bool
}

// StatementPage is a page of an account's statement, newest first.
type StatementPage struct {
	Lines []StatementLine
	// Next continues the statement with older lines; empty at the end.
	Next string
	// Balance is the account's current balance.
	Balance BalanceView
}

func decodeLine(v []byte) (StatementEntry, error) {
	var e StatementEntry
	if err := crdt.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("%w: statement line: %v", crdt.ErrCorrupt, err)
	}
	return e, nil
}

func flagged(m, bal, lo, hi int64, capped bool) bool {
	return (m < 0 && bal < lo) || (m > 0 && capped && bal > hi)
}

// Statement returns up to limit lines of an account's statement, newest
// first, starting after cursor (a previous page's Next; empty for the
// newest). Its cost is that of the page, not of the statement.
func Statement(r *crdt.Reader, acct []byte, limit int, cursor string) (StatementPage, error) {
	var p StatementPage
	s, err := membership.Society(r)
	if err != nil {
		return p, err
	}
	lo, hi, capped := s.Settings.Limits(acct)
	if p.Balance, err = Balance(r, acct); err != nil {
		return p, err
	}
	bal, before := p.Balance.Minutes, ""
	if cursor != "" {
		ks, bs, ok := strings.Cut(cursor, ".")
		kb, err1 := hex.DecodeString(ks)
		b, err2 := strconv.ParseInt(bs, 10, 64)
		if !ok || err1 != nil || err2 != nil || len(kb) > maxCursor {
			return p, refusal.Prefixed("ledger", "bad statement cursor %q", cursor)
		}
		bal, before = b, string(kb)
	}
	if limit <= 0 {
		limit = 50
	}
	prefix := kLine + ledger.Account(acct)
	var last string
	err = r.ScanBack(prefix, before, func(k string, v []byte) error {
		if len(p.Lines) == limit {
			p.Next = hex.EncodeToString([]byte(last)) + "." + strconv.FormatInt(bal, 10)
			return crdt.ErrStop
		}
		e, err := decodeLine(v)
		if err != nil {
			return err
		}
		p.Lines = append(p.Lines, StatementLine{StatementEntry: e, Balance: bal, Flagged: flagged(e.Minutes, bal, lo, hi, capped)})
		bal -= e.Minutes
		last = k[len(prefix):]
		return nil
	})
	return p, err
}

// StatementAll returns an account's whole statement, oldest first, with
// running balances from zero.
func StatementAll(r *crdt.Reader, acct []byte) ([]StatementLine, error) {
	s, err := membership.Society(r)
	if err != nil {
		return nil, err
	}
	lo, hi, capped := s.Settings.Limits(acct)
	var out []StatementLine
	var bal int64
	err = r.Scan(kLine+ledger.Account(acct), func(_ string, v []byte) error {
		e, err := decodeLine(v)
		if err != nil {
			return err
		}
		bal += e.Minutes
		out = append(out, StatementLine{StatementEntry: e, Balance: bal, Flagged: flagged(e.Minutes, bal, lo, hi, capped)})
		return nil
	})
	return out, err
}

// TransferByID returns a transfer; ok is false when it is unknown or took
// no effect.
func TransferByID(r *crdt.Reader, id cid.Cid) (TransferView, bool, error) {
	var tv TransferView
	ok, err := ledger.Get(r, kTransfer+string(id.Bytes()), &tv)
	return tv, ok, err
}

// PendingLeg is a leg waiting for an answer.
type PendingLeg struct {
	Transfer TransferView
	Leg      int
}

// Pending returns the legs waiting for an answer from any of the accounts,
// oldest transfer first.
func Pending(r *crdt.Reader, accts ...[]byte) ([]PendingLeg, error) {
	var out []PendingLeg
	for _, a := range accts {
		var pl PendingList
		if _, err := ledger.Get(r, kPending+ledger.Account(a), &pl); err != nil {
			return nil, err
		}
		for i, ref := range pl.Legs {
			if i > 0 && bytes.Equal(ref.Tx, pl.Legs[i-1].Tx) {
				continue // another leg of the same transfer: LegIndex finds a's
			}
			id := ref.Tx
			var tv TransferView
			if ok, err := ledger.Get(r, kTransfer+string(id), &tv); err != nil {
				return nil, err
			} else if !ok {
				return nil, fmt.Errorf("%w: pending transfer missing", crdt.ErrCorrupt)
			}
			if i := tv.LegIndex(a); i >= 0 && tv.Legs[i].State == StatePending {
				out = append(out, PendingLeg{Transfer: tv, Leg: i})
			}
		}
	}
	sortPending(out)
	return out, nil
}

func sortPending(p []PendingLeg) {
	for i := 1; i < len(p); i++ { // insertion sort: the lists are short
		for j := i; j > 0 && earlier(p[j].Transfer.Time, p[j].Transfer.ID, p[j-1].Transfer.Time, p[j-1].Transfer.ID); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// TransfersOf returns up to limit transfers an account is party to, newest
// first, whatever their state.
func TransfersOf(r *crdt.Reader, acct []byte, limit int) ([]TransferView, error) {
	var ids [][]byte
	prefix := kParty + ledger.Account(acct)
	if err := r.ScanBack(prefix, "", func(k string, _ []byte) error {
		if len(ids) == limit {
			return crdt.ErrStop
		}
		ids = append(ids, []byte(k[len(prefix)+8:]))
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]TransferView, 0, len(ids))
	for _, id := range ids {
		var tv TransferView
		if ok, err := ledger.Get(r, kTransfer+string(id), &tv); err != nil {
			return nil, err
		} else if ok {
			out = append(out, tv)
		}
	}
	return out, nil
}

// Flag is a statement line that took its account past a limit.
type Flag struct {
	Account []byte
	Line    StatementLine
}

// Void is a time-bank record that is stored but takes no effect.
type Void struct {
	ID cid.Cid
	VoidView
}

// Audit lists every flagged statement line of every account, and every
// time-bank record that takes no effect because its device was cut (a
// fork, a revocation, a departure). It reads every statement.
func Audit(r *crdt.Reader) ([]Flag, []Void, error) {
	accts, _, err := Accounts(r)
	if err != nil {
		return nil, nil, err
	}
	var flags []Flag
	for _, a := range accts {
		lines, err := StatementAll(r, a)
		if err != nil {
			return nil, nil, err
		}
		for _, l := range lines {
			if l.Flagged {
				flags = append(flags, Flag{Account: a, Line: l})
			}
		}
	}
	var voids []Void
	err = r.Scan(kVoid, func(k string, v []byte) error {
		c, err := cid.Cast([]byte(k[len(kVoid):]))
		if err != nil {
			return fmt.Errorf("%w: void key: %v", crdt.ErrCorrupt, err)
		}
		var vv VoidView
		if err := crdt.Unmarshal(v, &vv); err != nil {
			return fmt.Errorf("%w: void view: %v", crdt.ErrCorrupt, err)
		}
		voids = append(voids, Void{ID: c, VoidView: vv})
		return nil
	})
	return flags, voids, err
}
