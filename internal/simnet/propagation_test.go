package simnet_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/commons-society/commons/node"
)

// BenchmarkPropagation publishes one record at a time from a random node
// of a fully connected society and measures how long until all the others
// hold it; it reports the p50 and p99 of those times, for 20 and 50
// members.
func BenchmarkPropagation(b *testing.B) {
	for _, peers := range []int{20, 50} {
		b.Run(fmt.Sprintf("peers=%d", peers), func(b *testing.B) {
			const perIter = 50
			c := newCluster(b, peers, 10*time.Second)
			c.found()
			rng := rand.New(rand.NewPCG(1, 2))
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				for j := range perIter {
					p := c.nodes[rng.IntN(peers)]
					bio := fmt.Sprintf("propagation %d.%d", i, j)
					start := time.Now()
					if err := p.n.SetProfile(node.ProfileRequest{Bio: &bio}); err != nil {
						b.Fatal(err)
					}
					head, err := p.n.Store().Head(c.soc, p.id.DevicePublic())
					if err != nil {
						b.Fatal(err)
					}
					deadline := start.Add(30 * time.Second)
					for _, q := range c.nodes {
						if q == p {
							continue
						}
						for {
							if _, err := q.n.Store().Record(head.CID); err == nil {
								break
							}
							if time.Now().After(deadline) {
								b.Fatalf("%s lacks the record of %s after 30 s", q.name, p.name)
							}
							time.Sleep(100 * time.Microsecond)
						}
					}
					lat = append(lat, time.Since(start))
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			pct := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
