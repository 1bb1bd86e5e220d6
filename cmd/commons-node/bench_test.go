package main

import (
	"os"
	"strings"
	"testing"
)

func TestBenchCommand(t *testing.T) {
	tiny := []string{"--records", "40", "--devices", "2", "--batch", "16", "--transfers", "3", "--queries", "3", "--verify", "30ms"}
	tests := []struct {
		name string
		args []string
		code int
		want []string // in stdout (code 0) or stderr
	}{
		{"tiny run", append(tiny, "--pending", "1"), 0,
			[]string{"ingest:", "catch-up:", "verify:", "signatures/s", "records/s", "balance:", "statement page (50 lines):", "pending:", "1 pending"}},
		{"no pending", append(tiny, "--pending", "0"), 0, []string{"0 pending"}},
		{"one device", []string{"--devices", "1"}, 2, []string{"--devices must be at least 2"}},
		{"no records", []string{"--records", "0"}, 2, []string{"at least 1"}},
		{"bad duration", []string{"--verify", "0s"}, 2, []string{"--verify must be a positive duration"}},
		{"stray argument", []string{"now"}, 2, []string{"want 0 argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			r := runCLI(t, h.dir, "", append([]string{"bench", "--dir", t.TempDir()}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			out := r.stdout
			if tt.code != 0 {
				out = r.stderr
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			// The member's home is never touched.
			if _, err := os.Stat(h.dir); !os.IsNotExist(err) {
				t.Errorf("bench created the home %s (%v)", h.dir, err)
			}
		})
	}
}
