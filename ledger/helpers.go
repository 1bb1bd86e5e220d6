package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/ipfs/go-cid"
)

// Errors for records the ledger rejects, shared by every module.
var (
	ErrNotMember   = refusal.Kind("ledger", "author is not an admitted member")
	ErrBadBody     = refusal.Kind("ledger", "malformed record body")
	ErrUnknownType = refusal.Kind("ledger", "unknown record type")
	ErrNotAllowed  = refusal.Kind("ledger", "not allowed")
	ErrRevoked     = refusal.Kind("ledger", "the author's device was revoked, or its member left or was removed, before this record")
)

// Limits on text fields that several modules share.
const (
	MaxNameLen   = 64
	MaxSkillLen  = 48
	MaxReasonLen = 500
	MaxNoteLen   = 500
)

// DecodeBody decodes a record's body into v, wrapping ErrBadBody.
func DecodeBody(rec *crdt.Record, v any) error {
	if err := crdt.Unmarshal(rec.Body, v); err != nil {
		return refusal.New(ErrBadBody, "%s: %v", rec.Type, err)
	}
	return nil
}

// CheckText refuses a field that is not UTF-8 or longer than max
// characters.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return refusal.New(ErrBadBody, "%s longer than %d characters or not UTF-8", field, max)
	}
	return nil
}

// NormSkill is the form a skill is kept in: trimmed and lower case.
func NormSkill(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// DepMeta finds a dependency of the record by CID.
func DepMeta(e *crdt.Entry, c cid.Cid) (crdt.Meta, error) {
	for i, d := range e.Rec.Deps {
		if d.Equals(c) && i < len(e.DepMetas) {
			return e.DepMetas[i], nil
		}
	}
	return crdt.Meta{}, refusal.New(ErrBadBody, "%s is not among the record's deps", c)
}

// Version orders writes of a last-writer-wins field.
type Version struct {
	Time   crdt.HLC `cbor:"t"`
	Device []byte   `cbor:"d"`
	Seq    uint64   `cbor:"n"`
}

// VersionOf is the version a record writes.
func VersionOf(rec *crdt.Record) Version {
	return Version{Time: rec.Time, Device: rec.Author, Seq: rec.Seq}
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.Time != w.Time {
		return v.Time < w.Time
	}
	if c := bytes.Compare(v.Device, w.Device); c != 0 {
		return c < 0
	}
	return v.Seq < w.Seq
}

// ViewReader reads views: a *crdt.Reader or *crdt.Views.
type ViewReader interface {
	View(k string) ([]byte, bool, error)
}

// Get decodes a view into v; it reports whether the key exists.
func Get(r ViewReader, k string, v any) (bool, error) {
	b, ok, err := r.View(k)
	if err != nil || !ok {
		return ok, err
	}
	if err := crdt.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%w: view %q: %v", crdt.ErrCorrupt, k, err)
	}
	return true, nil
}

// Put encodes val into a view.
func Put(v *crdt.Views, k string, val any) error {
	b, err := crdt.Marshal(val)
	if err != nil {
		return err
	}
	return v.Put(k, b)
}

// GetCount reads a counter view (0 when absent).
func GetCount(r ViewReader, k string) (uint64, error) {
	var n uint64
	_, err := Get(r, k, &n)
	return n, err
}

// AddCount adds d to a counter view, deleting it at zero.
func AddCount(v *crdt.Views, k string, d int64) error {
	n, err := GetCount(v, k)
	if err != nil {
		return err
	}
	n = uint64(int64(n) + d)
	if n == 0 {
		return v.Delete(k)
	}
	return Put(v, k, n)
}

// Account is a key part for an account, a member or a CID: length-prefixed
// so that no part is a prefix of another (the community account never
// shares a prefix with a member key).
func Account(a []byte) string { return string(rune(len(a))) + string(a) }

// CutAccount splits a length-prefixed part (see Account) off the front of s.
func CutAccount(s string) (part, rest string, ok bool) {
	n, h := utf8.DecodeRuneInString(s)
	if n == utf8.RuneError || len(s)-h < int(n) {
		return "", "", false
	}
	return s[h : h+int(n)], s[h+int(n):], true
}

// BE64 is n big-endian, so that keys sort by it.
func BE64(n uint64) string { return string(binary.BigEndian.AppendUint64(nil, n)) }
