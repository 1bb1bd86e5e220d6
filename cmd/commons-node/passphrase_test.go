package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
)

// TestInitPassphraseRule: the command line applies the app's rule for a
// new passphrase (identity.MinPassphraseLen characters) and writes no
// identity when it is not met.
func TestInitPassphraseRule(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	for _, tt := range []struct {
		pass string
		ok   bool
	}{
		{"ab", false},
		{"1234567", false},
		{"ééééééé", false}, // 7 characters in 14 bytes
		{"12345678", true},
		{"éééééééé", true},
	} {
		dir := filepath.Join(t.TempDir(), "home")
		r := runCLI(t, dir, tt.pass, "init", "--name", "Alice")
		if (r.code == 0) != tt.ok {
			t.Fatalf("init with %q: exit %d, want success %v\n%s", tt.pass, r.code, tt.ok, r.stderr)
		}
		if tt.ok {
			continue
		}
		if !strings.Contains(r.stderr, "a passphrase needs at least 8 characters") {
			t.Errorf("init with %q says %q", tt.pass, r.stderr)
		}
		if _, err := os.Stat(node.Paths{Home: dir}.Identity()); !os.IsNotExist(err) {
			t.Errorf("init with %q left a key file: %v", tt.pass, err)
		}
	}
	if !strings.Contains(usage, "at least 8 characters") || identity.MinPassphraseLen != 8 {
		t.Error("the usage text and identity.MinPassphraseLen disagree")
	}
}

// readCommands need no key: they run without a passphrase.
var readCommands = [][]string{
	{"status"},
	{"members"},
	{"offer", "list"},
	{"request", "list"},
	{"invite", "list"},
	{"society", "settings"},
	{"activity"},
	{"balance"},
	{"statement", "--member", "Alice"},
	{"hours", "pending"},
	{"hours", "list"},
	{"contrib", "list"},
	{"cv", "--json"},
}

// TestReadCommandsPassphrase: a read command runs with no passphrase,
// checks one it is given (directly and through a running peer) and never
// prints a result after a wrong one; COMMONS_PASSPHRASE set but empty has
// its own message.
func TestReadCommandsPassphrase(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	h.ok(t, "society", "create", "Garden")
	export := filepath.Join(t.TempDir(), "out.car")
	cmds := append(readCommands, []string{"export", "--records", export})
	check := func(t *testing.T, via string) {
		for _, args := range cmds {
			if r := runCLI(t, h.dir, "", args...); r.code != 0 {
				t.Errorf("%s %v with no passphrase: exit %d: %s", via, args, r.code, r.stderr)
			}
			if r := runCLI(t, h.dir, h.pass, args...); r.code != 0 {
				t.Errorf("%s %v with the right passphrase: exit %d: %s", via, args, r.code, r.stderr)
			}
			r := runCLI(t, h.dir, "wrong passphrase", args...)
			if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "commons-node: wrong passphrase (or a damaged key file)") {
				t.Errorf("%s %v with a wrong passphrase: exit %d\nstdout: %s\nstderr: %s", via, args, r.code, r.stdout, r.stderr)
			}
			t.Setenv(identity.PassphraseEnv, "")
			var out, errb strings.Builder
			code := run(append([]string{"--home", h.dir}, args...), strings.NewReader(""), &out, &errb)
			if code == 0 || out.Len() != 0 || !strings.Contains(errb.String(), "COMMONS_PASSPHRASE is set but empty") {
				t.Errorf("%s %v with COMMONS_PASSPHRASE empty: exit %d\nstdout: %s\nstderr: %s", via, args, code, out.String(), errb.String())
			}
		}
	}
	check(t, "local")
	if t.Failed() {
		return
	}

	// The same through a running peer's control socket, and for a command
	// that writes: the peer holds the key, but a wrong passphrase given
	// to the command is still refused.
	id, err := identity.Load(node.Paths{Home: h.dir}.Identity(), []byte(h.pass))
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(h.dir, id, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	srv, err := node.Listen(node.Paths{Home: h.dir}, n)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	defer func() { cancel(); srv.Close(); <-served }()
	cmds = append(readCommands, []string{"profile", "set", "--bio", "hello"})
	check(t, "via the socket")
}

// TestSecretCommandsEmptyEnv: the commands that need the key say that
// COMMONS_PASSPHRASE is empty rather than look for a terminal.
func TestSecretCommandsEmptyEnv(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	for _, args := range [][]string{{"identity", "phrase"}, {"society", "create", "Garden"}, {"init", "--name", "Bob"}} {
		dir := h.dir
		if args[0] == "init" {
			dir = filepath.Join(t.TempDir(), "new")
		}
		t.Setenv(identity.PassphraseEnv, "")
		var out, errb strings.Builder
		code := run(append([]string{"--home", dir}, args...), strings.NewReader(""), &out, &errb)
		if code == 0 || out.Len() != 0 || !strings.Contains(errb.String(), "COMMONS_PASSPHRASE is set but empty") {
			t.Errorf("%v with COMMONS_PASSPHRASE empty: exit %d\nstdout: %s\nstderr: %s", args, code, out.String(), errb.String())
		}
	}
}
