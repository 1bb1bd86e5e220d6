package identity

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPassphraseEnv(t *testing.T) {
	t.Setenv(PassphraseEnv, "from the env ✓")
	for _, confirm := range []bool{false, true} {
		got, err := Passphrase("Passphrase: ", confirm)
		if err != nil {
			t.Fatalf("Passphrase(confirm=%v): %v", confirm, err)
		}
		if string(got) != "from the env ✓" {
			t.Errorf("Passphrase(confirm=%v) = %q", confirm, got)
		}
	}
}

func TestPassphrasePrompt(t *testing.T) {
	errRead := errors.New("read failed")
	tests := []struct {
		name      string
		env       string
		noTTY     bool
		inputs    []string
		readErr   error
		confirm   bool
		want      string
		wantErr   error  // checked with errors.Is when non-nil
		errSubstr string // checked when non-empty
		prompts   int    // expected number of reads
	}{
		{name: "env wins over terminal", env: "secret", want: "secret"},
		{name: "env wins with no terminal", env: "secret", noTTY: true, want: "secret"},
		{name: "no env, no terminal", noTTY: true, wantErr: ErrNoTerminal, errSubstr: "COMMONS_PASSPHRASE"},
		{name: "prompt once", inputs: []string{"typed"}, want: "typed", prompts: 1},
		{name: "confirm match", inputs: []string{"typed", "typed"}, confirm: true, want: "typed", prompts: 2},
		{name: "confirm mismatch", inputs: []string{"typed", "typo"}, confirm: true, errSubstr: "do not match", prompts: 2},
		{name: "empty entry", inputs: []string{""}, confirm: true, wantErr: ErrEmptyPassphrase, prompts: 1},
		{name: "read error", readErr: errRead, wantErr: errRead, prompts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			reads, released := 0, false
			p := prompter{
				getenv: func(k string) string {
					if k == PassphraseEnv {
						return tt.env
					}
					return ""
				},
				openTTY: func() (int, func(), error) {
					if tt.env != "" {
						t.Error("terminal opened although the env var is set")
					}
					if tt.noTTY {
						return 0, nil, ErrNoTerminal
					}
					return 42, func() { released = true }, nil
				},
				read: func(fd int) ([]byte, error) {
					if fd != 42 {
						t.Errorf("read from fd %d, want 42", fd)
					}
					reads++
					if tt.readErr != nil {
						return nil, tt.readErr
					}
					if reads > len(tt.inputs) {
						t.Fatal("too many reads")
					}
					return []byte(tt.inputs[reads-1]), nil
				},
				out: &out,
			}
			got, err := p.passphrase("Passphrase: ", tt.confirm)
			if tt.wantErr == nil && tt.errSubstr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if string(got) != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			} else {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errSubstr) {
					t.Errorf("error %q does not mention %q", err, tt.errSubstr)
				}
			}
			if reads != tt.prompts {
				t.Errorf("%d reads, want %d", reads, tt.prompts)
			}
			if tt.prompts > 0 {
				if !strings.HasPrefix(out.String(), "Passphrase: ") {
					t.Errorf("prompt output %q", out.String())
				}
				if !released {
					t.Error("terminal not released")
				}
			} else if out.Len() != 0 {
				t.Errorf("unexpected output %q", out.String())
			}
		})
	}
}
