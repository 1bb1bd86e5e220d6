package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func mustNew(t *testing.T, name string) *Identity {
	t.Helper()
	id, err := New(name)
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return id
}

func TestIDRoundTrip(t *testing.T) {
	zeroSeedPub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	randPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pub  ed25519.PublicKey
	}{
		{"zero seed", zeroSeedPub},
		{"random", randPub},
		{"all ones", ed25519.PublicKey(bytes.Repeat([]byte{1}, ed25519.PublicKeySize))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := IDFromPublicKey(tt.pub)
			if err != nil {
				t.Fatalf("IDFromPublicKey: %v", err)
			}
			if !strings.HasPrefix(id, "12D3KooW") {
				t.Errorf("ID %q does not look like an ed25519 peer ID", id)
			}
			back, err := PublicKeyFromID(id)
			if err != nil {
				t.Fatalf("PublicKeyFromID(%q): %v", id, err)
			}
			if !bytes.Equal(back, tt.pub) {
				t.Errorf("round trip: got %x, want %x", back, tt.pub)
			}
		})
	}
}

func TestIDErrors(t *testing.T) {
	_, secpPub, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secpID, err := peer.IDFromPublicKey(secpPub)
	if err != nil {
		t.Fatal(err)
	}
	good, err := IDFromPublicKey(mustNew(t, "x").MemberPublic())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, id string }{
		{"empty", ""},
		{"garbage", "not a peer id"},
		{"truncated", good[:len(good)-3]},
		{"secp256k1 key", secpID.String()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := PublicKeyFromID(tt.id); !errors.Is(err, ErrBadID) {
				t.Errorf("PublicKeyFromID(%q) error = %v, want ErrBadID", tt.id, err)
			}
		})
	}
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := IDFromPublicKey(make(ed25519.PublicKey, n)); !errors.Is(err, ErrBadID) {
			t.Errorf("IDFromPublicKey(%d bytes) error = %v, want ErrBadID", n, err)
		}
	}
}

func TestCertMessage(t *testing.T) {
	m := bytes.Repeat([]byte{0xAA}, 32)
	d := bytes.Repeat([]byte{0xBB}, 32)
	want := append(append([]byte("commons/device-cert/v1\x00"), m...), d...)
	if got := CertMessage(m, d); !bytes.Equal(got, want) {
		t.Errorf("CertMessage = %x, want %x", got, want)
	}
}

func TestCertVerify(t *testing.T) {
	id := mustNew(t, "alice")
	other := mustNew(t, "mallory")
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}
	good := id.Cert
	tests := []struct {
		name    string
		cert    DeviceCert
		wantErr bool
	}{
		{"valid", good, false},
		{"certify again", Certify(id.Member, id.DevicePublic()), false},
		{"tampered member", DeviceCert{flip(good.Member, 0), good.Device, good.Sig}, true},
		{"other member key", DeviceCert{other.MemberPublic(), good.Device, good.Sig}, true},
		{"tampered device", DeviceCert{good.Member, flip(good.Device, 31), good.Sig}, true},
		{"other device key", DeviceCert{good.Member, other.DevicePublic(), good.Sig}, true},
		{"tampered sig", DeviceCert{good.Member, good.Device, flip(good.Sig, 10)}, true},
		{"short member", DeviceCert{good.Member[:31], good.Device, good.Sig}, true},
		{"short device", DeviceCert{good.Member, good.Device[:31], good.Sig}, true},
		{"short sig", DeviceCert{good.Member, good.Device, good.Sig[:63]}, true},
		{"long sig", DeviceCert{good.Member, good.Device, append(bytes.Clone(good.Sig), 0)}, true},
		{"zero", DeviceCert{}, true},
		{"bad member private key", Certify(ed25519.PrivateKey{1, 2, 3}, id.DevicePublic()), true},
		{"nil member private key", Certify(nil, id.DevicePublic()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cert.Verify()
			if tt.wantErr {
				if !errors.Is(err, ErrBadCert) {
					t.Errorf("Verify() = %v, want ErrBadCert", err)
				}
			} else if err != nil {
				t.Errorf("Verify() = %v, want nil", err)
			}
		})
	}
}

func TestCertifyCopies(t *testing.T) {
	id := mustNew(t, "a")
	dev := bytes.Clone(id.DevicePublic())
	c := Certify(id.Member, dev)
	dev[0] ^= 0xFF
	if err := c.Verify(); err != nil {
		t.Errorf("cert changed when the caller's slice changed: %v", err)
	}
}

func TestNew(t *testing.T) {
	a, b := mustNew(t, "alice"), mustNew(t, "bob")
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if a.Name != "alice" {
		t.Errorf("Name = %q", a.Name)
	}
	ids := map[string]bool{}
	for _, s := range []string{a.MemberID(), a.DeviceID(), b.MemberID(), b.DeviceID()} {
		if s == "" || ids[s] {
			t.Errorf("empty or duplicate ID %q", s)
		}
		ids[s] = true
	}
	pub, err := PublicKeyFromID(a.MemberID())
	if err != nil || !bytes.Equal(pub, a.MemberPublic()) {
		t.Errorf("MemberID does not decode to MemberPublic: %v", err)
	}
	pub, err = PublicKeyFromID(a.DeviceID())
	if err != nil || !bytes.Equal(pub, a.DevicePublic()) {
		t.Errorf("DeviceID does not decode to DevicePublic: %v", err)
	}
}

func TestInvalidIdentityNoPanic(t *testing.T) {
	good := mustNew(t, "a")
	other := mustNew(t, "b")
	badSeed := bytes.Clone(good.Member)
	badSeed[0] ^= 1 // public half no longer matches the seed
	tests := []struct {
		name string
		id   *Identity
	}{
		{"nil", nil},
		{"zero", &Identity{}},
		{"short member", &Identity{Member: good.Member[:10], Device: good.Device, Cert: good.Cert}},
		{"short device", &Identity{Member: good.Member, Device: good.Device[:10], Cert: good.Cert}},
		{"cert for other device", &Identity{Member: good.Member, Device: other.Device, Cert: good.Cert}},
		{"cert of other member", &Identity{Member: good.Member, Device: good.Device, Cert: other.Cert}},
		{"no cert", &Identity{Member: good.Member, Device: good.Device}},
		{"inconsistent private key", &Identity{Member: badSeed, Device: good.Device, Cert: good.Cert}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.id.Validate(); !errors.Is(err, ErrBadIdentity) {
				t.Errorf("Validate() = %v, want ErrBadIdentity", err)
			}
			// None of these may panic.
			_ = tt.id.MemberID()
			_ = tt.id.DeviceID()
			_ = tt.id.MemberPublic()
			_ = tt.id.DevicePublic()
			_, _ = tt.id.RecoveryPhrase()
		})
	}
	var z *Identity
	if z.MemberID() != "" || z.DeviceID() != "" || z.MemberPublic() != nil || z.DevicePublic() != nil {
		t.Error("nil identity returned non-empty values")
	}
	if _, err := z.RecoveryPhrase(); err == nil {
		t.Error("RecoveryPhrase on nil identity succeeded")
	}
}

func TestRecoveryPhraseRoundTrip(t *testing.T) {
	id := mustNew(t, "alice")
	phrase, err := id.RecoveryPhrase()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(phrase)); n != 24 {
		t.Fatalf("phrase has %d words, want 24", n)
	}
	variants := map[string]string{
		"as given":    phrase,
		"upper case":  strings.ToUpper(phrase),
		"messy space": "  \n" + strings.ReplaceAll(phrase, " ", " \t\n  ") + "\n",
	}
	for name, p := range variants {
		t.Run(name, func(t *testing.T) {
			r, err := Restore("alice2", p)
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if r.MemberID() != id.MemberID() {
				t.Errorf("MemberID = %s, want %s", r.MemberID(), id.MemberID())
			}
			if !bytes.Equal(r.Member, id.Member) {
				t.Error("member private key differs")
			}
			if r.DeviceID() == id.DeviceID() {
				t.Error("restored identity reuses the old device key")
			}
			if r.Name != "alice2" {
				t.Errorf("Name = %q", r.Name)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// The BIP39 test vector for 32 zero bytes of entropy.
const zeroPhrase = "abandon abandon abandon abandon abandon abandon abandon abandon " +
	"abandon abandon abandon abandon abandon abandon abandon abandon " +
	"abandon abandon abandon abandon abandon abandon abandon art"

func TestRestoreKnownVector(t *testing.T) {
	r, err := Restore("z", zeroPhrase)
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(make([]byte, 32))
	if !bytes.Equal(r.Member, want) {
		t.Errorf("member key from zero phrase is not the zero-seed key")
	}
	p, err := r.RecoveryPhrase()
	if err != nil || p != zeroPhrase {
		t.Errorf("RecoveryPhrase = %q, %v; want the zero vector", p, err)
	}
}

func TestRestoreBadPhrase(t *testing.T) {
	words := strings.Fields(zeroPhrase)
	tests := []struct {
		name, phrase string
	}{
		{"empty", ""},
		{"only spaces", "   \n "},
		{"23 words", strings.Join(words[:23], " ")},
		{"25 words", zeroPhrase + " abandon"},
		{"valid 12-word phrase", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"},
		{"bad checksum", strings.Repeat("abandon ", 24)},
		{"unknown word", strings.Replace(zeroPhrase, "art", "xyzzy", 1)},
		{"unknown first word", "qwertyuiop " + strings.Join(words[1:], " ")},
		{"punctuation", strings.Replace(zeroPhrase, "art", "art.", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := Restore("x", tt.phrase)
			if !errors.Is(err, ErrBadPhrase) {
				t.Fatalf("Restore error = %v, want ErrBadPhrase", err)
			}
			if id != nil {
				t.Error("Restore returned an identity with an error")
			}
			for _, w := range []string{"xyzzy", "qwertyuiop"} {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q repeats a phrase word", err)
				}
			}
		})
	}
}
