//go:build linux

package p2p

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Environment of the helper process of TestMDNSNetns.
const (
	mdnsChildAddr  = "COMMONS_P2P_MDNS_CHILD_ADDR"  // the address to listen on
	mdnsChildIface = "COMMONS_P2P_MDNS_CHILD_IFACE" // the one non-loopback interface allowed
)

// TestMDNSNetns runs two hosts with mDNS on, each in a network namespace
// made by the test and joined by a veth pair, and checks that each finds
// and connects to the other with no static peer. mDNS traffic stays on the
// veth pair: it never touches this machine's own interfaces.
func TestMDNSNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mDNS LAN test needs root to create network namespaces; skipped")
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("mDNS LAN test needs the ip command (iproute2); skipped")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to re-execute: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	ip := func(args ...string) error {
		out, err := exec.CommandContext(ctx, ipPath, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	id := os.Getpid() % 100000
	type side struct{ ns, veth, addr string }
	sides := []side{
		{fmt.Sprintf("commons-mdns-%d-a", id), fmt.Sprintf("cmva%d", id), "10.77.0.1"},
		{fmt.Sprintf("commons-mdns-%d-b", id), fmt.Sprintf("cmvb%d", id), "10.77.0.2"},
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

	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		lines chan string
	}
	children := make([]*child, len(sides))
	var wg sync.WaitGroup
	for i, s := range sides {
		cmd := exec.CommandContext(ctx, ipPath, "netns", "exec", s.ns, exe, "-test.run=^TestMDNSChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), mdnsChildAddr+"="+s.addr, mdnsChildIface+"="+s.veth)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 64)}
		children[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(c.lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				c.lines <- sc.Text()
			}
		}()
	}
	defer func() {
		for _, c := range children {
			c.stdin.Close() // tells the child to stop
		}
		for _, c := range children {
			if err := c.cmd.Wait(); err != nil {
				t.Errorf("helper %v: %v", c.cmd.Args, err)
			}
		}
		wg.Wait()
	}()

	// Each child prints SELF <id>, then FOUND <id> for each peer mDNS
	// reports and CONNECTED <id> for each connection.
	self := make([]string, len(children))
	found := make([]map[string]bool, len(children))
	connected := make([]map[string]bool, len(children))
	for i := range children {
		found[i], connected[i] = map[string]bool{}, map[string]bool{}
	}
	done := func() bool {
		for i := range children {
			other := self[1-i]
			if self[i] == "" || other == "" || !found[i][other] || !connected[i][other] {
				return false
			}
		}
		return true
	}
	deadline := time.After(20 * time.Second)
	for !done() {
		select {
		case l, ok := <-children[0].lines:
			if !ok {
				t.Fatal("helper a ended early")
			}
			t.Logf("helper a: %s", l)
			record(l, &self[0], found[0], connected[0])
		case l, ok := <-children[1].lines:
			if !ok {
				t.Fatal("helper b ended early")
			}
			t.Logf("helper b: %s", l)
			record(l, &self[1], found[1], connected[1])
		case <-deadline:
			t.Fatalf("mDNS discovery incomplete: self %v, found %v, connected %v", self, found, connected)
		}
	}
}

func record(line string, self *string, found, connected map[string]bool) {
	kind, id, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok {
		return
	}
	switch kind {
	case "SELF":
		*self = id
	case "FOUND":
		found[id] = true
	case "CONNECTED":
		connected[id] = true
	}
}

// TestMDNSChild is the helper process of TestMDNSNetns; it does nothing
// unless started by it inside a test namespace.
func TestMDNSChild(t *testing.T) {
	addr, iface := os.Getenv(mdnsChildAddr), os.Getenv(mdnsChildIface)
	if addr == "" || iface == "" {
		t.Skip("helper process of TestMDNSNetns")
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
	h, err := NewHost(Config{Key: newKey(t), Listen: []string{"/ip4/" + addr + "/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var mu sync.Mutex
	say := func(kind string, id peer.ID) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf("%s %s\n", kind, id)
	}
	say("SELF", h.ID())
	d, err := StartDiscovery(context.Background(), h, Config{
		MDNS:        true,
		OnPeerFound: func(pi peer.AddrInfo) { say("FOUND", pi.ID) },
		OnConnect:   func(p peer.ID) { say("CONNECTED", p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Run until the parent closes stdin, or give up.
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	select {
	case <-stop:
	case <-time.After(25 * time.Second):
	}
}
