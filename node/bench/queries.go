package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/commons-society/commons/node"
)

// Defaults of QueryConfig.
const (
	DefaultTransfers = 500
	DefaultPending   = 5
	DefaultQueries   = 200
	// StatementPage is the statement page the query figures read (the
	// app's page size).
	StatementPage = 50
)

// QueryConfig shapes the time bank the query figures read.
type QueryConfig struct {
	// Transfers is how many confirmed transfers the founder is party to
	// (DefaultTransfers when 0), Pending how many more wait for the
	// founder's answer (DefaultPending when 0; -1 for none).
	Transfers, Pending int
	// Queries is how many times each query runs (DefaultQueries when 0).
	Queries int
	// Batch is the records per Ingest when the history is loaded.
	Batch int
}

func (c QueryConfig) withDefaults() QueryConfig {
	if c.Transfers <= 0 {
		c.Transfers = DefaultTransfers
	}
	if c.Pending == 0 {
		c.Pending = DefaultPending
	}
	c.Pending = max(c.Pending, 0)
	if c.Queries <= 0 {
		c.Queries = DefaultQueries
	}
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	return c
}

// Latency sums up the timings of one query.
type Latency struct {
	Runs          int
	P50, P99, Max time.Duration
}

// latency sums up ds (which it sorts).
func latency(ds []time.Duration) Latency {
	slices.Sort(ds)
	if len(ds) == 0 {
		return Latency{}
	}
	return Latency{Runs: len(ds), P50: ds[len(ds)/2], P99: ds[min(len(ds)-1, len(ds)*99/100)], Max: ds[len(ds)-1]}
}

// QueryFigures are the time-bank queries' timings, through the node's
// API, on the founder's node.
type QueryFigures struct {
	// Records is how many records the founder's store holds.
	Records int
	// Transfers and Pending are the founder's confirmed and waiting
	// transfers.
	Transfers, Pending int
	// Setup is how long writing the transfers took (through the API, one
	// fsync per record).
	Setup time.Duration
	// Balance, Statement (a page of StatementPage lines, newest first) and
	// PendingList (the transfers waiting for the founder).
	Balance, Statement, PendingList Latency
}

// Queries loads the history into the founder's and the first member's
// nodes, has them trade cfg.Transfers confirmed transfers and leave
// cfg.Pending waiting for the founder, all through the node's API (records
// moved as CAR files), and then times the founder's balance, statement
// page and pending list. Each answer is checked against what was written.
func Queries(h *History, cfg QueryConfig) (*QueryFigures, error) {
	cfg = cfg.withDefaults()
	nodes, setup, err := trade(h, cfg, node.Options{})
	defer func() {
		for _, n := range nodes {
			_ = n.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	founder := nodes[0]
	soc := h.Society.String()
	f := &QueryFigures{Transfers: cfg.Transfers, Pending: cfg.Pending, Setup: setup}
	st, err := founder.Status()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	for _, s := range st.Societies {
		if s.ID == soc {
			f.Records = int(s.Records)
		}
	}
	var bal, stmt, pend []time.Duration
	for range cfg.Queries {
		t := time.Now()
		b, err := founder.Balance(node.BalanceRequest{Society: soc})
		bal = append(bal, time.Since(t))
		if err != nil {
			return nil, fmt.Errorf("bench: balance: %w", err)
		}
		if b.Lines != uint64(cfg.Transfers) {
			return nil, fmt.Errorf("bench: the balance counts %d lines, want %d", b.Lines, cfg.Transfers)
		}
		t = time.Now()
		s, err := founder.Statement(node.StatementRequest{Society: soc, Limit: StatementPage})
		stmt = append(stmt, time.Since(t))
		if err != nil {
			return nil, fmt.Errorf("bench: statement: %w", err)
		}
		if len(s.Lines) != min(StatementPage, cfg.Transfers) {
			return nil, fmt.Errorf("bench: a statement page of %d lines, want %d", len(s.Lines), min(StatementPage, cfg.Transfers))
		}
		t = time.Now()
		p, err := founder.PendingTransfers(node.SocietyRequest{Society: soc})
		pend = append(pend, time.Since(t))
		if err != nil {
			return nil, fmt.Errorf("bench: pending: %w", err)
		}
		if len(p) != cfg.Pending {
			return nil, fmt.Errorf("bench: %d pending transfers, want %d", len(p), cfg.Pending)
		}
	}
	f.Balance, f.Statement, f.PendingList = latency(bal), latency(stmt), latency(pend)
	return f, nil
}

// trade opens the founder's and the first member's nodes with opts, loads
// the history into both, has them trade cfg.Transfers confirmed transfers
// and leave cfg.Pending waiting for the founder, all through the node's
// API (records moved as CAR files). It returns the nodes opened so far
// (to close, also on error) and how long the trading took.
func trade(h *History, cfg QueryConfig, opts node.Options) ([]*node.Node, time.Duration, error) {
	var nodes []*node.Node
	for i := range 2 {
		n, err := node.Open(h.homes[i].dir, h.homes[i].id, opts)
		if err != nil {
			return nodes, 0, fmt.Errorf("bench: %w", err)
		}
		nodes = append(nodes, n)
		if err := ingestAll(n.Store(), h.Society, h.Raws, cfg.Batch); err != nil {
			return nodes, 0, err
		}
	}
	founder, member := nodes[0], nodes[1]
	soc := h.Society.String()
	start := time.Now()
	ids := make([]string, cfg.Transfers)
	for i := range cfg.Transfers {
		// Alternate giving and paying so that balances stay within limits.
		mode := node.ModeGive
		if i%2 == 1 {
			mode = node.ModePay
		}
		ti, err := founder.ProposeTransfer(node.TransferRequest{Society: soc, Mode: mode, To: []string{member.Public().MemberID},
			Minutes: 30, Skill: "Gardening", Note: fmt.Sprintf("session %d", i)})
		if err != nil {
			return nodes, 0, fmt.Errorf("bench: propose: %w", err)
		}
		ids[i] = ti.ID
	}
	if err := h.copyRecords(founder, member); err != nil {
		return nodes, 0, err
	}
	for _, id := range ids {
		if _, err := member.AnswerTransfer(node.AnswerRequest{Society: soc, ID: id, Accept: true}); err != nil {
			return nodes, 0, fmt.Errorf("bench: answer: %w", err)
		}
	}
	for range cfg.Pending {
		if _, err := member.ProposeTransfer(node.TransferRequest{Society: soc, Mode: node.ModeGive, To: []string{founder.Public().MemberID},
			Minutes: 15, Skill: "Baking"}); err != nil {
			return nodes, 0, fmt.Errorf("bench: propose: %w", err)
		}
	}
	if err := h.copyRecords(member, founder); err != nil {
		return nodes, 0, err
	}
	return nodes, time.Since(start), nil
}
