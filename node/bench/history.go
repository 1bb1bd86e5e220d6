package bench

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
	"github.com/ipfs/go-cid"
)

// Defaults of Config: the workload shape of issue 12 (20,000 records of
// about 300 bytes, ingested 2,048 at a time).
const (
	DefaultRecords    = 20_000
	DefaultBatch      = 2048
	DefaultRecordSize = 300
	DefaultDevices    = 4
)

// maxBio bounds the profile bio used to pad records (the ledger allows
// longer ones; records of a few hundred bytes need far less).
const maxBio = 1500

// passphrase protects the identities of the temporary homes.
var passphrase = []byte(Passphrase)

// HistoryConfig shapes the society NewHistory writes.
type HistoryConfig struct {
	// Records is how many records the society holds in all (DefaultRecords
	// when 0); the setup (genesis, invites, joins, admissions, first
	// profiles) counts towards it.
	Records int
	// RecordSize is the encoded size aimed at for each generated record
	// (DefaultRecordSize when 0); the padding is capped, so records stay
	// under about 1,700 bytes whatever is asked.
	RecordSize int
	// Devices is how many members, one device each, write the records
	// (DefaultDevices when 0, at least 2).
	Devices int
	// Dir holds the temporary homes (the system's temporary directory
	// when empty).
	Dir string
	// Seed makes the history reproducible.
	Seed uint64
	// KDF is the key derivation of the members' key files
	// (identity.KDFDesktop when zero; identity.KDFPhone for homes made on
	// a phone).
	KDF identity.KDF
}

func (c HistoryConfig) withDefaults() HistoryConfig {
	if c.Records <= 0 {
		c.Records = DefaultRecords
	}
	if c.RecordSize <= 0 {
		c.RecordSize = DefaultRecordSize
	}
	if c.Devices <= 0 {
		c.Devices = DefaultDevices
	}
	c.Devices = max(c.Devices, 2)
	return c
}

// History is a society made for measuring: its founder and members live
// in temporary homes, and Raws holds every record in canonical (causal)
// order. The setup is written through the node's API (founding, invites,
// joins, admissions, profiles); the rest are profile edits signed with the
// members' device keys, each with its own random bio, round-robin over
// the devices in random order.
type History struct {
	Society cid.Cid
	Raws    [][]byte
	// Bytes is the total size of Raws.
	Bytes int
	tmp   string
	homes []home
}

// home is one member's temporary home and unlocked identity.
type home struct {
	dir string
	id  *identity.Identity
}

// NewHistory writes a society of cfg.Records records. Close removes its
// homes.
func NewHistory(cfg HistoryConfig) (_ *History, err error) {
	cfg = cfg.withDefaults()
	tmp, err := os.MkdirTemp(cfg.Dir, "commons-bench-*")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	h := &History{tmp: tmp}
	defer func() {
		if err != nil {
			_ = h.Close()
		}
	}()
	nodes := make([]*node.Node, cfg.Devices)
	defer func() {
		for _, n := range nodes {
			if n != nil {
				if cerr := n.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("bench: %w", cerr)
				}
			}
		}
	}()
	for i := range nodes {
		dir := filepath.Join(tmp, fmt.Sprintf("member-%d", i))
		id, err := node.InitKDF(dir, fmt.Sprintf("Member %d", i), "", passphrase, cfg.KDF)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		if nodes[i], err = node.Open(dir, id, node.Options{}); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		h.homes = append(h.homes, home{dir: dir, id: id})
	}
	tmpl, err := h.setup(nodes, cfg.RecordSize)
	if err != nil {
		return nil, err
	}
	if err := nodes[0].Store().Records(h.Society, func(_ cid.Cid, raw []byte) error {
		h.Raws = append(h.Raws, bytes.Clone(raw))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if len(h.Raws) > cfg.Records {
		return nil, fmt.Errorf("bench: a society of %d devices needs at least %d records", cfg.Devices, len(h.Raws))
	}
	if err := h.generate(nodes[0].Store(), tmpl, cfg.Records-len(h.Raws), cfg.Seed); err != nil {
		return nil, err
	}
	for _, raw := range h.Raws {
		h.Bytes += len(raw)
	}
	return h, nil
}

// Close removes the history's temporary homes.
func (h *History) Close() error {
	if err := os.RemoveAll(h.tmp); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// template is a profile edit whose bio is padded to the record size: the
// records generate writes copy its type and body, with another bio.
type template struct {
	typ      string
	body     []byte
	bio, end int // the bio's bytes in body
}

// setup founds the society with nodes[0], has the others join and be
// admitted (records moved as CAR files, as between offline devices), and
// has every member write two profile edits: the first carries the
// member's admission, the second is the template of the generated
// records. At the end nodes[0] holds every record.
func (h *History) setup(nodes []*node.Node, size int) (template, error) {
	founder := nodes[0]
	s, err := founder.CreateSociety("Bench society")
	if err != nil {
		return template{}, fmt.Errorf("bench: %w", err)
	}
	if h.Society, err = cid.Decode(s.ID); err != nil {
		return template{}, fmt.Errorf("bench: society ID: %w", err)
	}
	for _, n := range nodes[1:] {
		inv, err := founder.Invite(node.InviteRequest{Society: s.ID})
		if err != nil {
			return template{}, fmt.Errorf("bench: %w", err)
		}
		if err := h.copyRecords(founder, n); err != nil {
			return template{}, err
		}
		if _, err := n.Join(inv.Code); err != nil {
			return template{}, fmt.Errorf("bench: %w", err)
		}
		if err := h.copyRecords(n, founder); err != nil { // the founder admits
			return template{}, err
		}
		if err := h.copyRecords(founder, n); err != nil {
			return template{}, err
		}
	}
	// The bio that pads a profile edit to size: measured on a first edit.
	const probe = 64
	if err := setBio(founder, s.ID, probe); err != nil {
		return template{}, err
	}
	raw, err := headRecord(founder, h.Society)
	if err != nil {
		return template{}, err
	}
	bio := min(max(probe+size-len(raw), 1), maxBio)
	var tmpl template
	for _, n := range nodes {
		for range 2 {
			if err := setBio(n, s.ID, bio); err != nil {
				return template{}, err
			}
		}
		if err := h.copyRecords(n, founder); err != nil {
			return template{}, err
		}
		raw, err := headRecord(n, h.Society)
		if err != nil {
			return template{}, err
		}
		rec, _, err := crdt.Decode(raw)
		if err != nil {
			return template{}, fmt.Errorf("bench: %w", err)
		}
		i := bytes.Index(rec.Body, bytes.Repeat([]byte("b"), bio))
		if i < 0 || len(rec.Deps) > 0 {
			return template{}, errors.New("bench: the profile edit has an unexpected shape")
		}
		tmpl = template{typ: rec.Type, body: rec.Body, bio: i, end: i + bio}
	}
	return tmpl, nil
}

// setBio has n set its member's bio to a string of bio bytes.
func setBio(n *node.Node, soc string, bio int) error {
	s := string(bytes.Repeat([]byte("b"), bio))
	if err := n.SetProfile(node.ProfileRequest{Society: soc, Bio: &s}); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// headRecord returns the newest record of n's device.
func headRecord(n *node.Node, soc cid.Cid) ([]byte, error) {
	hd, err := n.Store().Head(soc, n.Public().Device)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	raw, err := n.Store().Record(hd.CID)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return raw, nil
}

// copyRecords has dst import src's records of the society through a CAR
// file.
func (h *History) copyRecords(src, dst *node.Node) error {
	path := filepath.Join(h.tmp, "copy.car")
	defer os.Remove(path)
	if _, err := src.Export(node.ExportRequest{Society: h.Society.String(), Path: path}); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	res, err := dst.Import(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if len(res.Rejected) > 0 {
		return fmt.Errorf("bench: records rejected: %v", res.Rejected)
	}
	return nil
}

// chain is the state of one device's chain while generate signs records.
type chain struct {
	key  ed25519.PrivateKey
	seq  uint64
	head cid.Cid
}

// generate signs n profile edits in the template's shape, each with a
// random bio, spread over the devices at random, and appends them to Raws.
func (h *History) generate(st *crdt.Store, tmpl template, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	chains := make([]*chain, len(h.homes))
	var t crdt.HLC
	for i, hm := range h.homes {
		hd, err := st.Head(h.Society, hm.id.DevicePublic())
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		chains[i] = &chain{key: hm.id.Device, seq: hd.Seq, head: hd.CID}
		t = max(t, hd.Time)
	}
	const letters = "abcdefghijklmnopqrstuvwxyz "
	for range n {
		c := chains[rng.IntN(len(chains))]
		body := bytes.Clone(tmpl.body)
		for i := tmpl.bio; i < tmpl.end; i++ {
			body[i] = letters[rng.IntN(len(letters))]
		}
		t++
		rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: h.Society}, Seq: c.seq + 1,
			Prev: &crdt.Link{Cid: c.head}, Time: t, Type: tmpl.typ, Body: body}
		raw, id, err := rec.Sign(c.key)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		c.seq, c.head = c.seq+1, id
		h.Raws = append(h.Raws, raw)
	}
	return nil
}
