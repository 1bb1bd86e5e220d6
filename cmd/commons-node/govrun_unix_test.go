//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/ledger/governance"
)

// TestThreeRunPeersDecide: three 'commons-node run' processes on loopback
// with --no-mdns. Alice puts a yes/no question with a short window and
// grace; Carol's peer stops once it holds the proposal and she votes
// offline; Alice and Bob vote through their peers, which close the
// proposal by themselves after its close time plus grace. Carol's peer,
// restarted after their closes, reconnects, closes within the grace with
// her vote in its past, and all three show the identical final result
// with the three ballots.
func TestThreeRunPeersDecide(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes, and waits for a proposal's close")
	}
	hs, ps, _ := threeRunPeers(t)
	alice, bob, carol := hs[0], hs[1], hs[2]
	const window, grace = 20 * time.Second, 15 * time.Second
	id := runCLI(t, alice.dir, "", "proposal", "create", "--title", "Paint the shed", "--method", "yesno",
		"--quorum", "1/2", "--threshold", "1/2", "--closes", window.String(), "--grace", grace.String()).last()
	if !strings.HasPrefix(id, "bafy") {
		t.Fatalf("proposal create printed %q", id)
	}
	show := func(h home) (governance.Result, string) {
		t.Helper()
		r := runCLI(t, h.dir, "", "proposal", "recount", id, "--json")
		var res governance.Result
		if r.code == 0 {
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("recount --json: %v\n%s", err, r.stdout)
			}
		}
		return res, r.stdout
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		res, out := show(carol)
		return res.ID == id, "Carol's peer lacks the proposal: " + out
	})
	ps[2].stop(t)
	// Carol votes offline, on her device alone (the passphrase unlocks it).
	carol.ok(t, "vote", id, "--choice", "no")
	for _, h := range []home{alice, bob} {
		if r := runCLI(t, h.dir, "", "vote", id, "--choice", "yes"); r.code != 0 {
			t.Fatalf("vote: exit %d: %s", r.code, r.stderr)
		}
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		a, out := show(alice)
		b, _ := show(bob)
		return len(a.Ballots) == 2 && len(b.Ballots) == 2 && a.Status == governance.StatusOpen,
			"while Carol is offline, Alice's peer counts:\n" + out
	})
	// Alice's and Bob's peers close it by themselves after close + grace.
	eventually(t, window+grace+30*time.Second, func() (bool, string) {
		a, out := show(alice)
		b, _ := show(bob)
		return len(a.Closes) > 0 && len(b.Closes) > 0, "no close yet: " + out
	})
	if res, out := show(alice); res.Status != governance.StatusClosing || !res.Provisional || len(res.Ballots) != 2 {
		t.Fatalf("after Alice's and Bob's closes, before Carol is back:\n%s", out)
	}
	// Carol's peer comes back and reconnects to Alice's.
	startPeer(t, carol, "--peer", ps[0].addr)
	var final string
	eventually(t, grace+45*time.Second, func() (bool, string) {
		var outs []string
		for _, h := range hs {
			res, out := show(h)
			if res.Status != governance.StatusFinal {
				return false, fmt.Sprintf("%s: %s", h.dir, out)
			}
			outs = append(outs, out)
		}
		final = outs[0]
		return outs[0] == outs[1] && outs[1] == outs[2], "the peers show different results:\n" + strings.Join(outs, "\n")
	})
	var res governance.Result
	if err := json.Unmarshal([]byte(final), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Ballots) != 3 || res.YesNo == nil || res.YesNo.Yes != 2 || res.YesNo.No != 1 || !res.Passed || res.Provisional || len(res.Closes) < 2 {
		t.Fatalf("final result:\n%s", final)
	}
	if out := runCLI(t, carol.dir, "", "proposal", "show", id).stdout; !strings.Contains(out, "status: final;") || !strings.Contains(out, "final since") ||
		!strings.Contains(out, "grace of 15s") {
		t.Fatalf("proposal show printed:\n%s", out)
	}
	t.Logf("final on the three peers: %d ballots, %d closes counted", len(res.Ballots), len(res.Closes))
}
