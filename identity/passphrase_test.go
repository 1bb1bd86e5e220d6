package identity

import (
	"bytes"
	"errors"
	"os"
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
		envEmpty  bool // env set to ""
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
		{name: "env set but empty", envEmpty: true, wantErr: ErrEmptyEnv, errSubstr: "COMMONS_PASSPHRASE is set but empty"},
		{name: "env set but empty, no terminal", envEmpty: true, noTTY: true, wantErr: ErrEmptyEnv},
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
				lookupEnv: func(k string) (string, bool) {
					if k == PassphraseEnv && (tt.env != "" || tt.envEmpty) {
						return tt.env, true
					}
					return "", false
				},
				openTTY: func() (int, func(), error) {
					if tt.env != "" || tt.envEmpty {
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

func TestCheckNewPassphrase(t *testing.T) {
	for _, tt := range []struct {
		pass string
		want error
	}{
		{"", ErrEmptyPassphrase},
		{"ab", ErrShortPassphrase},
		{"1234567", ErrShortPassphrase},
		{"12345678", nil},
		{"ééééééé", ErrShortPassphrase}, // 7 characters, 14 bytes
		{"éééééééé", nil},
		{"correct horse battery staple", nil},
	} {
		if err := CheckNewPassphrase([]byte(tt.pass)); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("CheckNewPassphrase(%q) = %v, want %v", tt.pass, err, tt.want)
		}
	}
	if !strings.Contains(ErrShortPassphrase.Error(), "at least 8 characters") {
		t.Errorf("ErrShortPassphrase says %q", ErrShortPassphrase)
	}
}

func TestGivenPassphrase(t *testing.T) {
	t.Setenv(PassphraseEnv, "given one")
	if p, given, err := GivenPassphrase(); err != nil || !given || string(p) != "given one" {
		t.Fatalf("set: %q %v %v", p, given, err)
	}
	t.Setenv(PassphraseEnv, "")
	if _, given, err := GivenPassphrase(); !errors.Is(err, ErrEmptyEnv) || given {
		t.Fatalf("set but empty: %v %v", given, err)
	}
	os.Unsetenv(PassphraseEnv)
	if p, given, err := GivenPassphrase(); err != nil || given || p != nil {
		t.Fatalf("unset: %q %v %v", p, given, err)
	}
}
