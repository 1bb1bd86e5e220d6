//go:build linux

package p2p_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/node"
)

// Environment of the helper processes of TestLANNodesSyncOverMDNS.
const (
	lanChildRole  = "COMMONS_P2P_LAN_CHILD_ROLE"  // a (founder) or b (joiner)
	lanChildAddr  = "COMMONS_P2P_LAN_CHILD_ADDR"  // the address to listen on
	lanChildIface = "COMMONS_P2P_LAN_CHILD_IFACE" // the one non-loopback interface allowed
	lanChildDir   = "COMMONS_P2P_LAN_CHILD_DIR"   // the directory the two share
)

// TestLANNodesSyncOverMDNS runs two full nodes, each in a network namespace
// made by the test and joined by a veth pair, with mDNS on and no static
// peer. A founds a society and makes an invite; B gets the code with its
// addresses stripped, so it can only reach A through mDNS. B waits for
// mDNS to connect it to A, joins (fetching the society from the connected
// peer), A admits it, each writes a profile, and both must reach the same
// state hash. Nothing leaves the veth pair.
func TestLANNodesSyncOverMDNS(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("LAN node test needs root to create network namespaces; skipped")
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("LAN node test needs the ip command (iproute2); skipped")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to re-execute: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ip := func(args ...string) error {
		out, err := exec.CommandContext(ctx, ipPath, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	id := os.Getpid() % 100000
	type side struct{ role, ns, veth, addr string }
	sides := []side{
		{"a", fmt.Sprintf("commons-lan-%d-a", id), fmt.Sprintf("clna%d", id), "10.78.0.1"},
		{"b", fmt.Sprintf("commons-lan-%d-b", id), fmt.Sprintf("clnb%d", id), "10.78.0.2"},
	}
	for _, s := range sides {
		if err := ip("netns", "add", s.ns); err != nil {
			t.Skipf("cannot create network namespaces here (%v); skipped", err)
		}
		ns := s.ns
		t.Cleanup(func() {
			if err := exec.Command(ipPath, "netns", "del", ns).Run(); err != nil {
				t.Errorf("delete namespace %s: %v", ns, err)
			}
		})
	}
	// The veth pair is created inside the namespaces, never in ours.
	steps := [][]string{
		{"-n", sides[0].ns, "link", "add", sides[0].veth, "type", "veth", "peer", "name", sides[1].veth, "netns", sides[1].ns},
	}
	for _, s := range sides {
		steps = append(steps,
			[]string{"-n", s.ns, "addr", "add", s.addr + "/24", "dev", s.veth},
			[]string{"-n", s.ns, "link", "set", s.veth, "up"},
			[]string{"-n", s.ns, "link", "set", "lo", "up"},
		)
	}
	for _, st := range steps {
		if err := ip(st...); err != nil {
			t.Fatal(err)
		}
	}

	shared := t.TempDir()
	hashes := make([]string, len(sides))
	errs := make([]error, len(sides))
	var wg sync.WaitGroup
	for i, s := range sides {
		cmd := exec.CommandContext(ctx, ipPath, "netns", "exec", s.ns, exe, "-test.run=^TestLANNodeChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), lanChildRole+"="+s.role, lanChildAddr+"="+s.addr,
			lanChildIface+"="+s.veth, lanChildDir+"="+shared)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				l := sc.Text()
				t.Logf("node %s: %s", s.role, l)
				if h, ok := strings.CutPrefix(strings.TrimSpace(l), "FINAL "); ok {
					hashes[i] = h
				}
			}
			errs[i] = cmd.Wait()
		}()
	}
	wg.Wait()
	for i, s := range sides {
		if errs[i] != nil {
			t.Errorf("node %s failed: %v", s.role, errs[i])
		}
	}
	if t.Failed() {
		return
	}
	if hashes[0] == "" || hashes[0] != hashes[1] {
		t.Fatalf("final state hashes differ: a %q, b %q", hashes[0], hashes[1])
	}
	t.Logf("both nodes reached state hash %s", hashes[0])
}

// TestLANNodeChild is a helper process of TestLANNodesSyncOverMDNS; it does
// nothing unless started by it inside a test namespace.
func TestLANNodeChild(t *testing.T) {
	role, addr, iface, dir := os.Getenv(lanChildRole), os.Getenv(lanChildAddr), os.Getenv(lanChildIface), os.Getenv(lanChildDir)
	if role == "" || addr == "" || iface == "" || dir == "" {
		t.Skip("helper process of TestLANNodesSyncOverMDNS")
	}
	// Refuse to send mDNS anywhere but the test's veth: the namespace
	// must hold nothing else than it and loopback.
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Name != "lo" && i.Name != iface {
			t.Fatalf("refusing to run mDNS: interface %s is not the test's (%s); not in the test namespace?", i.Name, iface)
		}
	}
	other := map[string]string{"a": "b", "b": "a"}[role]
	deadline := time.Now().Add(25 * time.Second)
	// poll calls f until it reports done, failing the test at the deadline.
	poll := func(what string, f func() (bool, error)) {
		t.Helper()
		for {
			ok, err := f()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not done by the deadline", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	put := func(name, content string) {
		t.Helper()
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(name string) (string, bool) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		return string(b), err == nil
	}

	home := filepath.Join(dir, "home-"+role)
	id, err := node.Init(home, "Member "+strings.ToUpper(role), "", []byte("lan test"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(home, id, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.StartNetwork(context.Background(), node.NetConfig{
		Listen: []string{"/ip4/" + addr + "/tcp/0"}, MDNS: true, SyncInterval: time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	society := func(soc string) (*node.SocietyStatus, *node.Status, error) {
		st, err := n.Status()
		if err != nil {
			return nil, nil, err
		}
		for i := range st.Societies {
			if st.Societies[i].ID == soc {
				return &st.Societies[i], st, nil
			}
		}
		return nil, st, nil
	}

	var soc string
	switch role {
	case "a":
		ss, err := n.CreateSociety("LAN Society")
		if err != nil {
			t.Fatal(err)
		}
		soc = ss.ID
		inv, err := n.Invite(node.InviteRequest{})
		if err != nil {
			t.Fatal(err)
		}
		ic, err := node.ParseInviteCode(inv.Code)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("invite made; stripping its %d addresses\n", len(ic.Addrs))
		ic.Addrs = nil
		put("code", ic.String())
		// A admits B when B's join arrives.
		poll("B admitted", func() (bool, error) {
			ss, _, err := society(soc)
			return err == nil && ss != nil && ss.Members == 2, err
		})
		fmt.Println("B admitted")
	case "b":
		var code string
		poll("read the invite code", func() (bool, error) {
			var ok bool
			code, ok = get("code")
			return ok, nil
		})
		ic, err := node.ParseInviteCode(code)
		if err != nil {
			t.Fatal(err)
		}
		if len(ic.Addrs) != 0 {
			t.Fatalf("the code carries addresses %v", ic.Addrs)
		}
		soc = ic.Society.String()
		poll("mDNS connects B to a peer", func() (bool, error) {
			_, st, err := society(soc)
			return err == nil && st.Network != nil && len(st.Network.Peers) > 0, err
		})
		_, st, _ := society(soc)
		fmt.Printf("connected by mDNS to %s at %v\n", st.Network.Peers[0].ID, st.Network.Peers[0].Addrs)
		res, err := n.Join(code)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("joined: admitted %v\n", res.Admitted)
		poll("B holds the society and is a member", func() (bool, error) {
			ss, _, err := society(soc)
			return err == nil && ss != nil && ss.Me == "member", err
		})
	}
	bio := "written on node " + role
	if err := n.SetProfile(node.ProfileRequest{Society: soc, Bio: &bio}); err != nil {
		t.Fatal(err)
	}
	// Each state now holds its own profile: equal hashes mean both hold
	// both profiles.
	var final string
	poll("same state hash as the other node", func() (bool, error) {
		ss, _, err := society(soc)
		if err != nil || ss == nil {
			return false, err
		}
		put("hash-"+role, ss.StateHash)
		theirs, _ := get("hash-" + other)
		if theirs != ss.StateHash {
			return false, nil
		}
		final = fmt.Sprintf("%s (%d records, %d members)", ss.StateHash, ss.Records, ss.Members)
		return true, nil
	})
	fmt.Printf("FINAL %s\n", final)
	// Stay up until the other side is done too, so that it can finish.
	put("done-"+role, "")
	poll("the other node finishes", func() (bool, error) {
		_, ok := get("done-" + other)
		return ok, nil
	})
}
