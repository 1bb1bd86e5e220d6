// Package refusal keeps the reason a record or request is refused as an
// English format and its arguments, so that a front end can say it in
// the member's language (the app translates the format through its
// catalogue and fills in the arguments) while the command line prints
// the English text and errors.Is and errors.As see through it as through
// a %w chain.
//
// Domains build their refusals with New (a kind such as
// ledger.ErrNotAllowed first, the reason after) or Prefixed (a package
// name first, as in "node: ..."), and their sentinel kinds with Kind.
// Formats are string literals (the app's translation test finds them in
// the source) that use %v, never %w, for an error argument: the error is
// still unwrapped.
package refusal

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a refusal: its text is Prefix, Kind and the reason, each
// followed by ": " when present.
type Error struct {
	// Prefix is a package's name ("node"), kept in English.
	Prefix string
	// Kind is what sort of refusal it is (a sentinel, often a *KindError),
	// or nil.
	Kind error
	// Format and Args are the reason, in English, as for fmt.Sprintf.
	Format string
	Args   []any
}

// New returns the refusal of a kind (nil for none) for a reason.
func New(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Format: format, Args: args}
}

// Prefixed returns a refusal whose English text starts with a package's
// name ("node: ...").
func Prefixed(prefix, format string, args ...any) error {
	return &Error{Prefix: prefix, Format: format, Args: args}
}

// Reason is the reason in English, without prefix or kind.
func (e *Error) Reason() string { return fmt.Sprintf(e.Format, e.Args...) }

// Error returns the English text.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Prefix != "" {
		b.WriteString(e.Prefix + ": ")
	}
	if e.Kind != nil {
		b.WriteString(e.Kind.Error() + ": ")
	}
	b.WriteString(e.Reason())
	return b.String()
}

// Unwrap returns the kind and the errors among the arguments.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	for _, a := range e.Args {
		if err, ok := a.(error); ok {
			out = append(out, err)
		}
	}
	return out
}

// KindError is a sentinel kind of refusal, such as "ledger: not allowed":
// a package's name and the kind's English text.
type KindError struct {
	Prefix, Text string
}

// Kind returns a new sentinel kind; compare with errors.Is.
func Kind(prefix, text string) error { return &KindError{Prefix: prefix, Text: text} }

// Error returns the English text.
func (k *KindError) Error() string {
	if k.Prefix == "" {
		return k.Text
	}
	return k.Prefix + ": " + k.Text
}

// Say returns err's text with every refusal and kind in it said by tr, a
// function from an English format or kind text to the member's language
// (the same text when it has no translation). What is not a refusal
// stays as it is.
func Say(err error, tr func(string) string) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var r *Error
	if errors.As(err, &r) {
		return strings.Replace(text, r.Error(), say(r, tr), 1)
	}
	var k *KindError
	if errors.As(err, &k) {
		return strings.Replace(text, k.Error(), sayKind(k, tr), 1)
	}
	return text
}

func say(r *Error, tr func(string) string) string {
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		if err, ok := a.(error); ok {
			a = Say(err, tr)
		}
		args[i] = a
	}
	var b strings.Builder
	if r.Prefix != "" {
		b.WriteString(r.Prefix + ": ")
	}
	if r.Kind != nil {
		b.WriteString(Say(r.Kind, tr) + ": ")
	}
	fmt.Fprintf(&b, tr(r.Format), args...)
	return b.String()
}

func sayKind(k *KindError, tr func(string) string) string {
	if k.Prefix == "" {
		return tr(k.Text)
	}
	return k.Prefix + ": " + tr(k.Text)
}
