package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepository fails when the repository tracks a build output or a
// large file. It is the CI check of what may be committed.
func TestRepository(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("tracked file must not be committed: %s", p)
	}
}

// TestCheck runs Check on a scratch repository holding one file of each
// kind, so the check is shown to fail on what it must refuse.
func TestCheck(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	big := make([]byte, MaxSize+1)
	files := []struct {
		path    string
		data    []byte
		mode    os.FileMode
		problem string // a word of the expected reason, "" for none
	}{
		{"main.go", []byte("package main\n"), 0o644, ""},
		{"scripts/deps.sh", []byte("#!/bin/sh\necho hi\n"), 0o755, ""},
		{"cmd/tool/tool", []byte("\x7fELF\x02\x01\x01"), 0o755, "ELF"},
		{"tool.exe", []byte("MZ\x90\x00"), 0o644, "Windows"},
		{"mac/tool", []byte{0xcf, 0xfa, 0xed, 0xfe, 7}, 0o644, "Mach-O"},
		{"run-me", []byte("binary\x00data"), 0o755, "not a script"},
		{"data/big.bin", big, 0o644, "limit"},
		{"docs/screenshots/home-light.png", big, 0o644, ""},
		{"empty", nil, 0o644, ""},
	}
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	git("add", "-A")
	problems, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range problems {
		got[p.Path] = p.Reason
	}
	for _, f := range files {
		reason, found := got[f.path]
		switch {
		case f.problem == "" && found:
			t.Errorf("%s: refused (%s), want accepted", f.path, reason)
		case f.problem != "" && !found:
			t.Errorf("%s: accepted, want refused for %q", f.path, f.problem)
		case f.problem != "" && !strings.Contains(reason, f.problem):
			t.Errorf("%s: reason %q, want it to mention %q", f.path, reason, f.problem)
		}
	}
}
