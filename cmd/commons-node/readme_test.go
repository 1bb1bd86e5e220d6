//go:build unix

package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSkip marks the shell block after it as one the README test does
// not run (with the reason after the colon).
const readmeSkip = "<!-- README test: skip"

// readmeBlocks returns the README's sh blocks in order, but those after a
// readmeSkip line.
func readmeBlocks(t *testing.T, readme []byte) (run []string, skipped int) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(readme))
	var block []string
	in, skip := false, false
	for sc.Scan() {
		l := sc.Text()
		switch {
		case !in && strings.HasPrefix(l, readmeSkip):
			if !strings.HasPrefix(l, readmeSkip+" (") {
				t.Fatalf("README: %q gives no reason in parentheses", l)
			}
			skip = true
		case !in && strings.TrimSpace(l) == "```sh":
			in, block = true, nil
		case in && strings.TrimSpace(l) == "```":
			in = false
			if skip {
				skipped++
			} else {
				run = append(run, strings.Join(block, "\n"))
			}
			skip = false
		case in:
			block = append(block, l)
		}
	}
	if in {
		t.Fatal("README: a sh block is not closed")
	}
	return run, skipped
}

// TestReadme runs the README's shell blocks, extracted from the file, in
// one bash session in a temporary directory, with `commons-node` on PATH
// (this test binary acting as the command), so the walkthrough cannot
// drift from what the commands do.
func TestReadme(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, skipped := readmeBlocks(t, readme)
	if len(blocks) < 2 {
		t.Fatalf("README: %d sh blocks to run (%d skipped); the walkthrough and time bank blocks must run", len(blocks), skipped)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	bin := filepath.Join(work, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// The wrapper hands its arguments to TestRunChild, one a line.
	wrapper := "#!/bin/bash\nprintf -v args '%s\\n' \"$@\"\nCOMMONS_TEST_RUN_ARGS=\"${args%$'\\n'}\" exec '" + self + "' -test.run='^TestRunChild$'\n"
	if err := os.WriteFile(filepath.Join(bin, "commons-node"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "set -euo pipefail\n" + strings.Join(blocks, "\n")
	cmd := exec.Command(bash, "-c", script)
	cmd.Dir = work
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + work, "XDG_CONFIG_HOME=" + filepath.Join(work, ".config"), "LANG=C.UTF-8"}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "GOCOVERDIR" || k == "TMPDIR" {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("README shell blocks failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	// What the README's comments promise.
	for _, want := range []string{
		`"minutes": -90`,                           // Alice's balance after confirming 90 minutes
		`small repairs, evenings`,                  // Bob's offer, listed on Alice's device
		`Fixed the shared mower`,                   // Bob's CV
		`"vf:EconomicEvent"`,                       // as ValueFlows JSON-LD
		`you would pay Bob 1 h 30 min`,             // Alice's pending answer
		`yes 2, no 0, abstain 0; quorum met: true`, // the ladder, counted on Alice's device
		`running peers close it from`,              // when the ladder's result becomes final
		`proposed "Create the council Tool shed"`,  // a council is created by its parent's decision
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("README walkthrough output lacks %q\nstdout:\n%s", want, out.String())
		}
	}
}
