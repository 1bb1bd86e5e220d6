package identity

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/term"
)

// PassphraseEnv is the environment variable Passphrase reads before falling
// back to a terminal prompt.
const PassphraseEnv = "COMMONS_PASSPHRASE"

// MinPassphraseLen is the fewest characters a new passphrase may have,
// in the app and on the command line alike.
const MinPassphraseLen = 8

var (
	// ErrShortPassphrase is returned by CheckNewPassphrase for a
	// passphrase shorter than MinPassphraseLen characters.
	ErrShortPassphrase = fmt.Errorf("a passphrase needs at least %d characters", MinPassphraseLen)
	// ErrEmptyEnv is returned when PassphraseEnv is set but empty.
	ErrEmptyEnv = errors.New(PassphraseEnv + " is set but empty: put the passphrase in it, or unset it to be asked for the passphrase")
)

// CheckNewPassphrase applies the one rule for choosing a passphrase: at
// least MinPassphraseLen characters (runes, not bytes). It returns
// ErrEmptyPassphrase or ErrShortPassphrase.
func CheckNewPassphrase(p []byte) error {
	switch {
	case len(p) == 0:
		return ErrEmptyPassphrase
	case utf8.RuneCount(p) < MinPassphraseLen:
		return ErrShortPassphrase
	}
	return nil
}

// ErrNoTerminal is returned by Passphrase when PassphraseEnv is unset and
// there is no terminal to prompt on.
var ErrNoTerminal = errors.New("no terminal to read the passphrase from; set " + PassphraseEnv)

// prompter holds Passphrase's dependencies so tests can replace them.
type prompter struct {
	lookupEnv func(string) (string, bool)
	// openTTY returns the file descriptor of a terminal and a function
	// releasing it, or an error if there is none.
	openTTY func() (fd int, release func(), err error)
	read    func(fd int) ([]byte, error)
	out     io.Writer
}

// defaultPrompter uses the process environment and the real terminal.
var defaultPrompter = prompter{
	lookupEnv: os.LookupEnv,
	openTTY:   openTerminal,
	read:      term.ReadPassword,
	out:       os.Stderr,
}

// Passphrase returns the passphrase from the environment variable
// COMMONS_PASSPHRASE if it is set; set but empty, it returns ErrEmptyEnv.
// Otherwise it writes prompt
// to stderr and reads a line without echo from the terminal (/dev/tty, or
// standard input if that is a terminal). When confirm is true it asks a
// second time and returns an error if the two entries differ. With neither
// the variable nor a terminal it returns an error wrapping ErrNoTerminal
// that tells the user to set COMMONS_PASSPHRASE. An empty entry gives
// ErrEmptyPassphrase.
func Passphrase(prompt string, confirm bool) ([]byte, error) {
	return defaultPrompter.passphrase(prompt, confirm)
}

// passphrase implements Passphrase.
func (p prompter) passphrase(prompt string, confirm bool) ([]byte, error) {
	if v, given, err := p.given(); given || err != nil {
		return v, err
	}
	fd, release, err := p.openTTY()
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	defer release()
	first, err := p.ask(fd, prompt)
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, fmt.Errorf("identity: %w", ErrEmptyPassphrase)
	}
	if !confirm {
		return first, nil
	}
	second, err := p.ask(fd, "Repeat passphrase: ")
	if err != nil {
		clear(first)
		return nil, err
	}
	defer clear(second)
	if !bytes.Equal(first, second) {
		clear(first)
		return nil, errors.New("identity: passphrases do not match")
	}
	return first, nil
}

// GivenPassphrase returns the passphrase in COMMONS_PASSPHRASE, with
// given false when the variable is unset; set but empty, it returns
// ErrEmptyEnv. Commands that need no key use it to check a passphrase
// they were given without prompting for one.
func GivenPassphrase() (pass []byte, given bool, err error) {
	return defaultPrompter.given()
}

// given implements GivenPassphrase.
func (p prompter) given() ([]byte, bool, error) {
	v, set := p.lookupEnv(PassphraseEnv)
	switch {
	case !set:
		return nil, false, nil
	case v == "":
		return nil, false, ErrEmptyEnv
	}
	return []byte(v), true, nil
}

// ask shows prompt and reads one line without echo.
func (p prompter) ask(fd int, prompt string) ([]byte, error) {
	fmt.Fprint(p.out, prompt)
	b, err := p.read(fd)
	fmt.Fprintln(p.out) // the user's newline was not echoed
	if err != nil {
		return nil, fmt.Errorf("identity: read passphrase: %w", err)
	}
	return b, nil
}

// openTerminal finds a terminal: /dev/tty if it can be opened, otherwise
// standard input if it is a terminal.
func openTerminal() (int, func(), error) {
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		if term.IsTerminal(int(f.Fd())) {
			return int(f.Fd()), func() { f.Close() }, nil
		}
		f.Close()
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		return fd, func() {}, nil
	}
	return 0, nil, ErrNoTerminal
}
