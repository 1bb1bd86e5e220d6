package simnet_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/node"
	"github.com/libp2p/go-libp2p/core/network"
)

// writeProfiles has every node of ps write perNode profile records (one
// SetProfile each), all nodes at once.
func writeProfiles(t testing.TB, ps []*peerNode, perNode int, tag string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(ps))
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perNode {
				bio := fmt.Sprintf("%s %s bio %d", tag, p.name, i)
				if err := p.n.SetProfile(node.ProfileRequest{Bio: &bio}); err != nil {
					errs <- fmt.Errorf("%s: record %d: %w", p.name, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestPartitionHeal splits a 20-member society into three partitions,
// writes 10,000 records across them through the nodes (gossip carries
// them inside each partition), checks that each partition holds exactly
// the records held at the cut and its own members' writes, heals the
// network and measures how long all 20 take to agree.
func TestPartitionHeal(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: 20 nodes, 10,000 records")
	}
	const nodes, total = 20, 10_000
	start := time.Now()
	c := newCluster(t, nodes, time.Second)
	c.found()
	_, base := c.state(c.nodes[0])
	t.Logf("society of %d founded and joined over the network in %v (%d records)", nodes, time.Since(start).Round(time.Millisecond), base)

	groups := [][]*peerNode{c.nodes[:7], c.nodes[7:14], c.nodes[14:]}
	c.cutAndWait(groups)
	atCut := c.vector(c.nodes[0])

	writeStart := time.Now()
	perNode := total / nodes
	writeProfiles(t, c.nodes, perNode, "partitioned")
	t.Logf("%d records written on %d nodes in %v", perNode*nodes, nodes, time.Since(writeStart).Round(time.Millisecond))

	for gi, g := range groups {
		d := c.waitConverged(g, 60*time.Second)
		for _, p := range g {
			if err := c.onlyOwnWrites(p, g, atCut, base, perNode); err != nil {
				t.Fatalf("partition %d: %v", gi, err)
			}
		}
		_, n := c.state(g[0])
		t.Logf("partition %d (%d nodes) agrees on %d records, exactly its own (%v after the writes ended)", gi, len(g), n, d.Round(time.Millisecond))
	}
	if c.converged(c.nodes) {
		t.Fatal("the partitions agree before the heal")
	}

	healStart := time.Now()
	c.heal(groups)
	c.waitConverged(c.nodes, 240*time.Second)
	h, n := c.state(c.nodes[0])
	if want := base + uint64(perNode*nodes); n != want {
		t.Fatalf("after the heal all hold %d records, want %d", n, want)
	}
	t.Logf("heal -> convergence of %d nodes: %v (%d records, state %s)", nodes, time.Since(healStart).Round(time.Millisecond), n, h.String()[:16])
}

// cutAndWait cuts the network between the groups and waits until no node
// is connected to one of another group (closing a mock connection reaches
// the far end asynchronously).
func (c *cluster) cutAndWait(groups [][]*peerNode) {
	c.tb.Helper()
	c.cut(groups)
	deadline := time.Now().Add(10 * time.Second)
	for !cutDone(c.nodes, groups) {
		if time.Now().After(deadline) {
			c.tb.Fatal("nodes still connected across the cut")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// vector returns a node's version vector of the society.
func (c *cluster) vector(p *peerNode) map[string]uint64 {
	c.tb.Helper()
	vv, err := p.n.Store().VersionVector(c.soc)
	if err != nil {
		c.tb.Fatalf("%s: version vector: %v", p.name, err)
	}
	return vv
}

// onlyOwnWrites checks that p, of partition g, holds exactly the records
// held at the cut (version vector atCut, count base) and perNode more of
// each member of g: by author and seq, every device's chain must be where
// it was at the cut, plus perNode for g's own members, and the count must
// match (no fork, no device unknown at the cut). Any record that crossed
// the cut makes it fail, naming its author and seqs.
func (c *cluster) onlyOwnWrites(p *peerNode, g []*peerNode, atCut map[string]uint64, base uint64, perNode int) error {
	want := maps.Clone(atCut)
	for _, q := range g {
		want[string(q.id.DevicePublic())] += uint64(perNode)
	}
	got := c.vector(p)
	var bad []string
	for _, dev := range slices.Sorted(maps.Keys(got)) {
		if got[dev] != want[dev] {
			bad = append(bad, fmt.Sprintf("%s holds seq %d, want %d", c.deviceName(dev), got[dev], want[dev]))
		}
	}
	for dev, seq := range want {
		if _, ok := got[dev]; !ok && seq > 0 {
			bad = append(bad, fmt.Sprintf("%s missing (want seq %d)", c.deviceName(dev), seq))
		}
	}
	_, n := c.state(p)
	if w := base + uint64(perNode*len(g)); n != w {
		bad = append(bad, fmt.Sprintf("%d records, want %d", n, w))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s holds other records than the cut's and its partition's writes: %s", p.name, strings.Join(bad, "; "))
	}
	return nil
}

// deviceName names a node by its device key (raw, as a string), or
// prints the key.
func (c *cluster) deviceName(dev string) string {
	for _, p := range c.nodes {
		if string(p.id.DevicePublic()) == dev {
			return p.name
		}
	}
	return fmt.Sprintf("device %x", dev[:min(4, len(dev))])
}

// cutDone reports whether no node is connected to one of another group.
func cutDone(all []*peerNode, groups [][]*peerNode) bool {
	for _, g := range groups {
		for _, p := range g {
			for _, q := range all {
				if !contains(g, q) && p.h.Network().Connectedness(q.h.ID()) == network.Connected {
					return false
				}
			}
		}
	}
	return true
}

func contains(ps []*peerNode, q *peerNode) bool {
	for _, p := range ps {
		if p == q {
			return true
		}
	}
	return false
}

// BenchmarkPartitionHeal cuts a society into three partitions, fills
// them with records (each member's own chain, stored directly in every
// store of its partition), checks that each partition holds only its own,
// then heals the network and reports the time from the heal to identical
// state hashes on every node (heal-s), for 20 members and 10,000 records
// and for 50 members and 20,000 records.
func BenchmarkPartitionHeal(b *testing.B) {
	for _, bc := range []struct{ peers, records int }{{20, 10_000}, {50, 20_000}} {
		b.Run(fmt.Sprintf("peers=%d/records=%d", bc.peers, bc.records), func(b *testing.B) {
			c := newCluster(b, bc.peers, 10*time.Second)
			c.found()
			// Every chain gets a record after its admission, so that
			// the bulk records continue an anchored chain.
			writeProfiles(b, c.nodes, 1, "anchor")
			c.waitConverged(c.nodes, 60*time.Second)
			third := bc.peers / 3
			groups := [][]*peerNode{c.nodes[:third], c.nodes[third : 2*third], c.nodes[2*third:]}
			perNode := bc.records / bc.peers
			var heal, cpu time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				c.cutAndWait(groups)
				atCut := c.vector(c.nodes[0])
				_, base := c.state(c.nodes[0])
				for _, g := range groups {
					c.fill(g, perNode)
				}
				for gi, g := range groups {
					c.waitConverged(g, time.Minute)
					if err := c.onlyOwnWrites(g[0], g, atCut, base, perNode); err != nil {
						b.Fatalf("partition %d: %v", gi, err)
					}
				}
				b.StartTimer()
				start, cpu0 := time.Now(), processCPU(b)
				c.heal(groups)
				c.waitConverged(c.nodes, 30*time.Minute)
				heal += time.Since(start)
				cpu += processCPU(b) - cpu0
			}
			b.StopTimer()
			if _, n := c.state(c.nodes[0]); n < uint64(bc.records*b.N) {
				b.Fatalf("all hold %d records, want at least %d", n, bc.records*b.N)
			}
			b.ReportMetric(heal.Seconds()/float64(b.N), "heal-s")
			// The CPU time of the whole process during the heal (all
			// nodes): unlike heal-s, it does not grow when other
			// processes load the machine.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "heal-cpu-s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// fill continues the chain of every member of g with perNode profile
// records and stores them directly in every store of g (two stores at a
// time), as if the partition had gossiped them.
func (c *cluster) fill(g []*peerNode, perNode int) {
	c.tb.Helper()
	var raws [][]byte
	for _, p := range g {
		raws = append(raws, signProfiles(c.tb, c, p, p.n.Store(), perNode)...)
	}
	sem := make(chan struct{}, 2)
	errs := make([]error, len(g))
	var wg sync.WaitGroup
	for i, q := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ingestAll(c, q.n.Store(), raws); err != nil {
				errs[i] = fmt.Errorf("%s: %w", q.name, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.tb.Fatal(err)
	}
}

// processCPU returns the CPU time (user and system) this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
