package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/commons-society/commons/ledger/reputation"
)

// CV exports for front ends that see the peer through this package only
// (the app): the same writers the command line uses, on the CV an API
// call returned.

// errNoCV refuses an export of nothing.
var errNoCV = errors.New("node: no CV to export")

// WriteCVJSON writes a CV as indented JSON, as `commons-node cv --json`
// prints it.
func WriteCVJSON(w io.Writer, cv *CVResult) error {
	if cv == nil {
		return errNoCV
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cv.CV); err != nil {
		return fmt.Errorf("node: write CV JSON: %w", err)
	}
	return nil
}

// WriteCVCSV writes a CV's hours as CSV (reputation.WriteCVCSV): a header row,
// then one row per contribution and per time-bank service provided.
func WriteCVCSV(w io.Writer, cv *CVResult) error {
	if cv == nil {
		return errNoCV
	}
	return reputation.WriteCVCSV(w, cv.CV, nil)
}

// CVJSONLD returns a CV as ValueFlows JSON-LD (reputation.CVJSONLD), ready for
// encoding/json.
func CVJSONLD(cv *CVResult) map[string]any {
	if cv == nil {
		return nil
	}
	return reputation.CVJSONLD(cv.CV, nil)
}

// WriteCVJSONLD writes CVJSONLD as indented JSON, as `commons-node cv
// --jsonld` prints it.
func WriteCVJSONLD(w io.Writer, cv *CVResult) error {
	if cv == nil {
		return errNoCV
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(CVJSONLD(cv)); err != nil {
		return fmt.Errorf("node: write CV JSON-LD: %w", err)
	}
	return nil
}
