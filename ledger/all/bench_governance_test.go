package all_test

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// benchSociety is a society of 10,000 members, 2,000 of whom delegate
// (council-wide) to a later member, with one root proposal per voting
// method on which the 8,000 others vote directly.
type benchSociety struct {
	f         *fixture
	devs      []*simDevice
	proposals map[string]cid.Cid
	ballots   map[string]func(i int) gov.Vote
}

const benchMembers, benchDelegators = 10_000, 2_000

// benchOptions are the options of the non-fixed-choice proposals.
var benchOptions = func() []string {
	var out []string
	for i := range 12 {
		out = append(out, fmt.Sprintf("option-%02d", i))
	}
	return out
}()

// benchBallot returns ballot i of a method, varied by a generator seeded
// with i so that a ballot can be made again.
func benchBallot(method string, i int) gov.Vote {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	perm := r.Perm(len(benchOptions))
	pick := perm[:1+r.IntN(4)]
	names := func() []string {
		out := make([]string, len(pick))
		for k, p := range pick {
			out[k] = benchOptions[p]
		}
		return out
	}
	points := func(n func(k int) int64) []tally.Point {
		out := make([]tally.Point, len(pick))
		for k, p := range pick {
			out[k] = tally.Point{Option: benchOptions[p], N: n(k)}
		}
		return out
	}
	switch method {
	case gov.MethodYesNo:
		return gov.Vote{Choice: []string{tally.Yes, tally.Yes, tally.No, tally.Abstain}[r.IntN(4)]}
	case gov.MethodConsent:
		if r.IntN(500) == 0 {
			return gov.Vote{Choice: tally.Object, Reason: "not yet"}
		}
		return gov.Vote{Choice: tally.Consent}
	case gov.MethodConsensus:
		if r.IntN(1000) == 0 {
			return gov.Vote{Choice: tally.Block, Reason: "no"}
		}
		return gov.Vote{Choice: []string{tally.Agree, tally.Agree, tally.Abstain, tally.Disagree}[r.IntN(4)]}
	case gov.MethodApproval, gov.MethodBudgetMES, gov.MethodBudgetGreedy:
		return gov.Vote{Approve: names()}
	case gov.MethodIRV, gov.MethodSTV, gov.MethodSchulze:
		return gov.Vote{Rank: names()}
	case gov.MethodScore:
		return gov.Vote{Points: points(func(int) int64 { return int64(r.IntN(6)) })}
	case gov.MethodDots:
		return gov.Vote{Points: points(func(int) int64 { return int64(r.IntN(3)) })}
	case gov.MethodQuadratic:
		return gov.Vote{Points: points(func(int) int64 { return int64(r.IntN(7) - 3) })}
	}
	panic("unknown method " + method)
}

// benchProposal is a proposal of the method with the rule it needs.
func benchProposal(method string, opens uint64) gov.Proposal {
	p := gov.Proposal{Council: gov.Root, Title: "bench " + method, Method: method,
		Opens: opens, Closes: opens + 24*3600_000, Options: []gov.Option{}, Actions: []gov.Action{}}
	if method == gov.MethodYesNo || method == gov.MethodConsent || method == gov.MethodConsensus {
		if method == gov.MethodYesNo {
			p.Rule = gov.Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}}
		}
		return p
	}
	for i, o := range benchOptions {
		opt := gov.Option{Name: o}
		if method == gov.MethodBudgetMES || method == gov.MethodBudgetGreedy {
			opt.Cost = int64(600 + 120*i)
		}
		p.Options = append(p.Options, opt)
	}
	switch method {
	case gov.MethodScore:
		p.Rule.ScoreMax = 5
	case gov.MethodDots:
		p.Rule.Dots = 10
	case gov.MethodQuadratic:
		p.Rule.Credits = 100
	case gov.MethodSTV:
		p.Rule.Seats = 3
	case gov.MethodBudgetMES, gov.MethodBudgetGreedy:
		p.Rule.Budget = 4000
	}
	return p
}

// newBenchSociety builds the society in a real store, ingesting in
// batches as a peer catching up does.
func newBenchSociety(b *testing.B) *benchSociety {
	f := buildFixture(b)
	s := f.s
	start := len(s.raws)
	bs := &benchSociety{f: f, proposals: map[string]cid.Cid{}}
	for i := range benchMembers {
		if i%1000 == 0 { // an invite is used at most 1,000 times
			secret := newKey(s.rng)
			ic := s.emit(f.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: s.now>>16 + 1e9, Uses: 1000}, nil)
			f.invite = simInvite{cid: ic, secret: secret, author: f.founder}
		}
		ic := f.invite.cid
		m := &simMember{key: newKey(s.rng)}
		d := s.newDevice(m)
		jc := s.emit(d, membership.TypeJoin, f.joinBody(m.key, d.key, f.invite.secret), []cid.Cid{ic})
		m.admit = s.emit(f.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: ic}}, []cid.Cid{jc, ic})
		m.admitted = true
		s.members = append(s.members, m)
		bs.devs = append(bs.devs, d)
	}
	for i := range benchDelegators {
		to := bs.devs[benchDelegators+i]
		s.emit(bs.devs[i], gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: memberKey(to.member)}, nil)
	}
	for _, method := range gov.Methods {
		p := s.emit(f.founder, gov.TypeProposal, benchProposal(method, crdt.HLC(s.now).Millis()), s.electorateDeps(f.founder))
		bs.proposals[method] = p
		for i, d := range bs.devs[benchDelegators:] {
			v := benchBallot(method, i)
			v.Proposal = crdt.Link{Cid: p}
			s.emit(d, gov.TypeVote, v, []cid.Cid{p})
		}
	}
	for i := start; i < len(s.raws); i += 2000 {
		res, err := f.st.Ingest(s.soc, s.raws[i:min(i+2000, len(s.raws))])
		if err != nil || len(res.Rejected) > 0 {
			b.Fatalf("ingest: %v %+v", err, res.Rejected)
		}
	}
	// Settle the tree, as a peer's store is between bursts, so that the
	// compactions the bulk load started do not run during the counts.
	if err := f.st.DB().Flatten(2); err != nil {
		b.Fatal(err)
	}
	return bs
}

// count counts a proposal at the simulator's current time.
func (bs *benchSociety) count(b *testing.B, p cid.Cid) *gov.Result {
	var res *gov.Result
	now := crdt.HLC(bs.f.s.now).Millis()
	if err := bs.f.st.View(bs.f.s.soc, func(r *crdt.Reader) error {
		var err error
		res, err = gov.Count(r, p, now)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkGovernanceCount counts a root proposal of every voting method
// with 10,000 members in a real store: 8,000 vote directly and 2,000
// delegate (council-wide) to a member who votes. Each case reports the
// wall time per operation and cpu-ms/op, the process's CPU time per
// operation (steadier than the wall time on a shared machine).
//
// count/METHOD is one Count through the whole ledger (the decisions
// replay, the electorate, the votes and delegations read from the views,
// delegation and the tally) with nothing cached from an earlier count: the
// first count after the program starts.
// recount/METHOD counts again with nothing new stored (a front end
// refreshing): from the count cache.
// newvote/METHOD is a new vote's effect on the shown result: one more vote
// record (already signed) is ingested into the store, as the node does,
// and the proposal is counted again; the time runs from the write to the
// new result (ingest-ms/op and count-ms/op split it). The vote's check
// finds the proposal's named electorate in memory, as a running node does
// after the proposal's first vote (gov.ForgetCounts leaves it).
// newdelegation/METHOD is the same for a changed delegation, which makes
// the count read the votes and delegations again (the members' roll stays
// cached).
//
//	go test -run '^$' -bench BenchmarkGovernanceCount -benchtime 10x -benchmem ./ledger/all/
func BenchmarkGovernanceCount(b *testing.B) {
	bs := newBenchSociety(b)
	s := bs.f.s
	for _, c := range []struct {
		name   string
		forget bool
	}{{"count", true}, {"recount", false}} {
		for _, method := range gov.Methods {
			b.Run(c.name+"/"+method, func(b *testing.B) {
				p := bs.proposals[method]
				bs.count(b, p)
				var res *gov.Result
				cpu := cpuTime()
				for b.Loop() {
					if c.forget {
						gov.ForgetCounts()
					}
					res = bs.count(b, p)
				}
				reportCPU(b, cpuTime()-cpu)
				if res.Electorate < benchMembers || len(res.Ballots) != benchMembers || len(res.Carried) == 0 {
					b.Fatalf("electorate %d, %d ballots, %d carriers", res.Electorate, len(res.Ballots), len(res.Carried))
				}
			})
		}
	}
	for _, method := range gov.Methods {
		b.Run("newvote/"+method, func(b *testing.B) {
			p := bs.proposals[method]
			bs.afterWrite(b, p, func(i int) func(*gov.Result) bool {
				d := bs.devs[benchDelegators+i%(benchMembers-benchDelegators)]
				v := benchBallot(method, benchMembers+i)
				v.Proposal = crdt.Link{Cid: p}
				s.emit(d, gov.TypeVote, v, []cid.Cid{p})
				return func(res *gov.Result) bool { return countsBallot(res, memberKey(d.member), v) }
			})
		})
	}
	for _, method := range gov.Methods {
		b.Run("newdelegation/"+method, func(b *testing.B) {
			p := bs.proposals[method]
			bs.afterWrite(b, p, func(i int) func(*gov.Result) bool {
				from := bs.devs[i%benchDelegators]
				to := memberKey(bs.devs[benchMembers-1-i%benchDelegators].member)
				s.emit(from, gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: to}, nil)
				voter, via := fmt.Sprintf("%x", memberKey(from.member)), fmt.Sprintf("%x", to)
				return func(res *gov.Result) bool {
					return slices.ContainsFunc(res.Ballots, func(cb gov.CountedBallot) bool { return cb.Voter == voter && cb.Via == via })
				}
			})
		})
	}
}

// afterWrite measures, b.N times, ingesting the record write signs (not
// timed) and counting p again, and checks the result with what write
// returns.
func (bs *benchSociety) afterWrite(b *testing.B, p cid.Cid, write func(i int) func(*gov.Result) bool) {
	s := bs.f.s
	bs.count(b, p) // what the front end showed before the write
	b.ResetTimer() // which is not part of the write's effect
	var ingest, count, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		check := write(i)
		raw := s.raws[len(s.raws)-1]
		b.StartTimer()
		c0, t0 := cpuTime(), time.Now()
		if res, err := bs.f.st.Ingest(s.soc, [][]byte{raw}); err != nil || len(res.Applied) != 1 {
			b.Fatalf("ingest: %v %+v", err, res)
		}
		t1 := time.Now()
		res := bs.count(b, p)
		b.StopTimer()
		ingest, count, cpu = ingest+t1.Sub(t0), count+time.Since(t1), cpu+cpuTime()-c0
		if !check(res) {
			b.Fatalf("write %d is not in the result", i)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ingest.Microseconds())/1000/float64(b.N), "ingest-ms/op")
	b.ReportMetric(float64(count.Microseconds())/1000/float64(b.N), "count-ms/op")
	reportCPU(b, cpu)
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine it moves less with other processes' load than the wall
// time does (it includes the store's and the runtime's own goroutines).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation.
func reportCPU(b *testing.B, d time.Duration) {
	b.ReportMetric(float64(d.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// countsBallot reports whether a result counts the member's ballot v.
func countsBallot(res *gov.Result, member []byte, v gov.Vote) bool {
	want := fmt.Sprintf("%x", member)
	for _, cb := range res.Ballots {
		if cb.Voter == want && cb.Via == "" {
			return cb.Ballot.Choice == v.Choice && slices.Equal(cb.Ballot.Approve, v.Approve) &&
				slices.Equal(cb.Ballot.Rank, v.Rank) && slices.Equal(cb.Ballot.Points, v.Points)
		}
	}
	return false
}
