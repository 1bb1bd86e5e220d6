package node

import "errors"

// DetailError is an error told in the user's terms (Err) that keeps the
// technical cause (Detail) for a log or a --verbose flag. Error returns
// only the user's message; errors.Is and As see both.
type DetailError struct {
	Err    error
	Detail error
}

// Error returns the user's message.
func (e *DetailError) Error() string { return e.Err.Error() }

// Unwrap returns both the user's error and its cause.
func (e *DetailError) Unwrap() []error { return []error{e.Err, e.Detail} }

// Details returns the technical causes kept by the DetailErrors in err's
// chain, outermost first (nil when there are none).
func Details(err error) []string {
	var out []string
	for err != nil {
		var d *DetailError
		if !errors.As(err, &d) {
			break
		}
		if d.Detail != nil {
			out = append(out, d.Detail.Error())
		}
		err = d.Detail
	}
	return out
}
