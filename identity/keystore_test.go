package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testParams are cheap argon2id parameters so most tests run fast;
// TestRealParams exercises the defaults.
var testParams = kdfParams{Time: 1, MemoryKiB: 64, Threads: 1}

var pass = []byte("correct horse battery staple")

func sameIdentity(t *testing.T, got, want *Identity) {
	t.Helper()
	if got.Name != want.Name ||
		!bytes.Equal(got.Member, want.Member) ||
		!bytes.Equal(got.Device, want.Device) ||
		!bytes.Equal(got.Cert.Member, want.Cert.Member) ||
		!bytes.Equal(got.Cert.Device, want.Cert.Device) ||
		!bytes.Equal(got.Cert.Sig, want.Cert.Sig) {
		t.Errorf("loaded identity differs: got %s/%s %q, want %s/%s %q",
			got.MemberID(), got.DeviceID(), got.Name, want.MemberID(), want.DeviceID(), want.Name)
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %v, want %v", path, got, want)
	}
}

func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != FileName {
			t.Errorf("stray file %q left in %s", e.Name(), dir)
		}
	}
}

// readEnvelope reads a key file and its JSON fields.
func readEnvelope(t *testing.T, path string) ([]byte, map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]any
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("key file is not JSON: %v", err)
	}
	return raw, env
}

func TestRealParams(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, FileName)
	id := mustNew(t, "alice")
	if err := Save(path, id, pass); err != nil {
		t.Fatalf("Save: %v", err)
	}
	checkMode(t, path, 0o600)
	checkMode(t, dir, 0o700)
	checkNoTempFiles(t, dir)

	raw, env := readEnvelope(t, path)
	for k, want := range map[string]any{
		"version": 1.0, "kdf": "argon2id", "time": 2.0, "memory_kib": 65536.0, "threads": 2.0,
	} {
		if env[k] != want {
			t.Errorf("header %s = %v, want %v", k, env[k], want)
		}
	}
	if s, _ := base64.StdEncoding.DecodeString(env["salt"].(string)); len(s) != 16 {
		t.Errorf("salt is %d bytes, want 16", len(s))
	}
	if n, _ := base64.StdEncoding.DecodeString(env["nonce"].(string)); len(n) != 24 {
		t.Errorf("nonce is %d bytes, want 24", len(n))
	}
	phrase, _ := id.RecoveryPhrase()
	for _, secret := range []string{phrase, id.Name, base64.StdEncoding.EncodeToString(id.Member.Seed())} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("key file contains plaintext %q", secret)
		}
	}

	got, err := Load(path, pass)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	sameIdentity(t, got, id)

	newPass := []byte("new passphrase")
	if err := ChangePassphrase(path, pass, newPass); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	if _, err := Load(path, pass); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Load with old passphrase after change = %v, want ErrWrongPassphrase", err)
	}
	got, err = Load(path, newPass)
	if err != nil {
		t.Fatalf("Load with new passphrase: %v", err)
	}
	sameIdentity(t, got, id)
	checkMode(t, path, 0o600)
	checkNoTempFiles(t, dir)
}

// TestKDFProfiles: a key file saved with the desktop or the phone profile
// records that profile's argon2id parameters in its header, opens with
// its passphrase (Load reads the parameters from the file) and refuses a
// wrong one.
func TestKDFProfiles(t *testing.T) {
	for _, c := range []struct {
		kdf                   KDF
		time, memory, threads float64
	}{
		{KDFDesktop, 2, 64 << 10, 2},
		{KDFPhone, 2, 19 << 10, 1},
	} {
		t.Run(c.kdf.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			id := mustNew(t, "alice")
			if err := SaveKDF(path, id, pass, c.kdf); err != nil {
				t.Fatalf("SaveKDF: %v", err)
			}
			_, env := readEnvelope(t, path)
			for k, want := range map[string]float64{"time": c.time, "memory_kib": c.memory, "threads": c.threads} {
				if env[k] != want {
					t.Errorf("header %s = %v, want %v", k, env[k], want)
				}
			}
			got, err := Load(path, pass)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			sameIdentity(t, got, id)
			if _, err := Load(path, []byte("correct horse battery stapler")); !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("Load with a wrong passphrase = %v, want ErrWrongPassphrase", err)
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	restored, err := Restore("restored", zeroPhrase)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   *Identity
		pass []byte
	}{
		{"fresh", mustNew(t, "alice"), pass},
		{"unicode name and passphrase", mustNew(t, "Zoë 🌱 \"quoted\""), []byte("pässwörd ✓")},
		{"empty name", mustNew(t, ""), []byte("x")},
		{"restored", restored, []byte{0, 1, 2, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "b")
			path := filepath.Join(dir, FileName)
			if err := save(path, tt.id, tt.pass, testParams); err != nil {
				t.Fatalf("save: %v", err)
			}
			checkMode(t, path, 0o600)
			checkMode(t, dir, 0o700)
			checkNoTempFiles(t, dir)
			got, err := Load(path, tt.pass)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			sameIdentity(t, got, tt.id)
			if err := got.Validate(); err != nil {
				t.Errorf("loaded identity invalid: %v", err)
			}
		})
	}
}

func TestSaveOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a, b := mustNew(t, "a"), mustNew(t, "b")
	if err := save(path, a, pass, testParams); err != nil {
		t.Fatal(err)
	}
	// A pre-existing file with loose permissions ends up 0600 too.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := save(path, b, pass, testParams); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, pass)
	if err != nil {
		t.Fatal(err)
	}
	sameIdentity(t, got, b)
	checkMode(t, path, 0o600)
	checkNoTempFiles(t, filepath.Dir(path))
}

func TestSaveRefuses(t *testing.T) {
	good := mustNew(t, "a")
	other := mustNew(t, "b")
	tests := []struct {
		name string
		id   *Identity
		pass []byte
		want error
	}{
		{"empty passphrase", good, []byte{}, ErrEmptyPassphrase},
		{"nil passphrase", good, nil, ErrEmptyPassphrase},
		{"nil identity", nil, pass, ErrBadIdentity},
		{"zero identity", &Identity{}, pass, ErrBadIdentity},
		{"mismatched cert", &Identity{Member: good.Member, Device: good.Device, Cert: other.Cert}, pass, ErrBadIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := Save(path, tt.id, tt.pass); !errors.Is(err, tt.want) {
				t.Errorf("Save error = %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("refused Save created a file (stat: %v)", err)
			}
		})
	}
}

func TestSaveUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The parent "directory" is a regular file.
	if err := save(filepath.Join(blocker, FileName), mustNew(t, "a"), pass, testParams); err == nil {
		t.Error("save under a regular file succeeded")
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), FileName), pass)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of missing file = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := save(path, mustNew(t, "a"), pass, testParams); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stBefore, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range [][]byte{[]byte("Correct horse battery staple"), nil, pass[:len(pass)-1]} {
		id, err := Load(path, wrong)
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Load(%q) error = %v, want ErrWrongPassphrase", wrong, err)
		}
		if id != nil {
			t.Errorf("Load(%q) returned an identity", wrong)
		}
	}
	if err := changePassphrase(path, []byte("nope"), []byte("new"), testParams); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("changePassphrase with wrong old = %v, want ErrWrongPassphrase", err)
	}
	if err := changePassphrase(path, pass, nil, testParams); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("changePassphrase to empty = %v, want ErrEmptyPassphrase", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("key file changed after failed loads")
	}
	stAfter, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if stAfter.Mode() != stBefore.Mode() || !stAfter.ModTime().Equal(stBefore.ModTime()) {
		t.Error("key file metadata changed after failed loads")
	}
	checkNoTempFiles(t, filepath.Dir(path))
}

func TestChangePassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	id := mustNew(t, "a")
	if err := save(path, id, pass, testParams); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	newPass := []byte("another one")
	if err := changePassphrase(path, pass, newPass, testParams); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if bytes.Equal(before, after) {
		t.Fatal("file unchanged")
	}
	if _, err := Load(path, pass); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	got, err := Load(path, newPass)
	if err != nil {
		t.Fatal(err)
	}
	sameIdentity(t, got, id)
	checkMode(t, path, 0o600)
	if err := changePassphrase(filepath.Join(t.TempDir(), FileName), pass, newPass, testParams); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("changePassphrase of missing file = %v, want fs.ErrNotExist", err)
	}
}

// mutateJSON returns data with the envelope decoded into a map, changed by
// f, and re-encoded.
func mutateJSON(t *testing.T, data []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setField sets key to v.
func setField(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m[key] = v }
}

// editBytes decodes the base64 field key, applies f and re-encodes it.
func editBytes(key string, f func([]byte) []byte) func(map[string]any) {
	return func(m map[string]any) {
		b, err := base64.StdEncoding.DecodeString(m[key].(string))
		if err != nil {
			panic(err)
		}
		m[key] = base64.StdEncoding.EncodeToString(f(b))
	}
}

func flipAt(i int) func([]byte) []byte {
	return func(b []byte) []byte {
		b = bytes.Clone(b)
		if i < 0 {
			i += len(b)
		}
		b[i] ^= 0x01
		return b
	}
}

func TestLoadCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	id := mustNew(t, "alice")
	if err := save(path, id, pass, testParams); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := mustNew(t, "mallory")
	sealed := func(plain string) []byte {
		b, err := sealPlaintext([]byte(plain), pass, testParams)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sealedSecrets := func(s secrets) []byte {
		p, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return sealed(string(p))
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		// Structural damage: ErrCorruptKeyfile, detected before any KDF run.
		{"empty file", nil, ErrCorruptKeyfile},
		{"truncated", good[:len(good)/2], ErrCorruptKeyfile},
		{"truncated by one", good[:len(bytes.TrimSpace(good))-1], ErrCorruptKeyfile},
		{"not JSON", []byte("hello"), ErrCorruptKeyfile},
		{"JSON array", []byte("[1,2,3]"), ErrCorruptKeyfile},
		{"trailing garbage", append(bytes.Clone(good), "{}"...), ErrCorruptKeyfile},
		{"too large", bytes.Repeat([]byte(" "), maxKeyfileSize+10), ErrCorruptKeyfile},
		{"unknown version", mutateJSON(t, good, setField("version", 2)), ErrCorruptKeyfile},
		{"version 0", mutateJSON(t, good, setField("version", 0)), ErrCorruptKeyfile},
		{"no version", mutateJSON(t, good, func(m map[string]any) { delete(m, "version") }), ErrCorruptKeyfile},
		{"version string", mutateJSON(t, good, setField("version", "1")), ErrCorruptKeyfile},
		{"unknown kdf", mutateJSON(t, good, setField("kdf", "scrypt")), ErrCorruptKeyfile},
		{"memory over 1 GiB", mutateJSON(t, good, setField("memory_kib", 1<<20+1)), ErrCorruptKeyfile},
		{"memory huge", mutateJSON(t, good, setField("memory_kib", 1e12)), ErrCorruptKeyfile},
		{"memory too small", mutateJSON(t, good, setField("memory_kib", 1)), ErrCorruptKeyfile},
		{"time 21", mutateJSON(t, good, setField("time", 21)), ErrCorruptKeyfile},
		{"time 0", mutateJSON(t, good, setField("time", 0)), ErrCorruptKeyfile},
		{"time negative", mutateJSON(t, good, setField("time", -1)), ErrCorruptKeyfile},
		{"threads 0", mutateJSON(t, good, setField("threads", 0)), ErrCorruptKeyfile},
		{"threads 300", mutateJSON(t, good, setField("threads", 300)), ErrCorruptKeyfile},
		{"salt short", mutateJSON(t, good, editBytes("salt", func(b []byte) []byte { return b[:15] })), ErrCorruptKeyfile},
		{"salt not base64", mutateJSON(t, good, setField("salt", "!!!")), ErrCorruptKeyfile},
		{"nonce short", mutateJSON(t, good, editBytes("nonce", func(b []byte) []byte { return b[:12] })), ErrCorruptKeyfile},
		{"ciphertext empty", mutateJSON(t, good, setField("ciphertext", "")), ErrCorruptKeyfile},
		{"ciphertext missing", mutateJSON(t, good, func(m map[string]any) { delete(m, "ciphertext") }), ErrCorruptKeyfile},

		// Well-formed but authenticated data altered: the AEAD fails, which
		// is indistinguishable from a wrong passphrase.
		{"flipped ciphertext byte", mutateJSON(t, good, editBytes("ciphertext", flipAt(5))), ErrWrongPassphrase},
		{"flipped tag byte", mutateJSON(t, good, editBytes("ciphertext", flipAt(-1))), ErrWrongPassphrase},
		{"ciphertext truncated", mutateJSON(t, good, editBytes("ciphertext", func(b []byte) []byte { return b[:len(b)-1] })), ErrWrongPassphrase},
		{"flipped salt byte", mutateJSON(t, good, editBytes("salt", flipAt(0))), ErrWrongPassphrase},
		{"flipped nonce byte", mutateJSON(t, good, editBytes("nonce", flipAt(23))), ErrWrongPassphrase},
		{"time changed", mutateJSON(t, good, setField("time", 2)), ErrWrongPassphrase},
		{"memory changed", mutateJSON(t, good, setField("memory_kib", 128)), ErrWrongPassphrase},
		{"threads changed", mutateJSON(t, good, setField("threads", 2)), ErrWrongPassphrase},

		// Decrypts, but the contents are not a consistent identity.
		{"plaintext not JSON", sealed("not json"), ErrCorruptKeyfile},
		{"plaintext empty object", sealed("{}"), ErrCorruptKeyfile},
		{"short seeds", sealedSecrets(secrets{Name: "x", MemberSeed: []byte{1}, DeviceSeed: []byte{2}, Cert: id.Cert}), ErrCorruptKeyfile},
		{"cert of another member", sealedSecrets(secrets{Name: "x", MemberSeed: id.Member.Seed(), DeviceSeed: id.Device.Seed(), Cert: other.Cert}), ErrCorruptKeyfile},
		{"cert with bad signature", sealedSecrets(secrets{Name: "x", MemberSeed: id.Member.Seed(), DeviceSeed: id.Device.Seed(),
			Cert: DeviceCert{Member: id.Cert.Member, Device: id.Cert.Device, Sig: other.Cert.Sig}}), ErrCorruptKeyfile},
		{"device key swapped", sealedSecrets(secrets{Name: "x", MemberSeed: id.Member.Seed(), DeviceSeed: other.Device.Seed(), Cert: id.Cert}), ErrCorruptKeyfile},
	}
	// Sanity: the mutation helpers leave an untouched file loadable.
	if _, err := Load(path, pass); err != nil {
		t.Fatalf("good file does not load: %v", err)
	}
	if _, err := openKeyfile(mutateJSON(t, good, func(map[string]any) {}), pass); err != nil {
		t.Fatalf("re-encoded good file does not load: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(p, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Load(p, pass)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load error = %v, want %v", err, tt.want)
			}
			other := ErrWrongPassphrase
			if tt.want == ErrWrongPassphrase {
				other = ErrCorruptKeyfile
			}
			if errors.Is(err, other) {
				t.Errorf("error %v matches both ErrWrongPassphrase and ErrCorruptKeyfile", err)
			}
			if got != nil {
				t.Error("Load returned an identity with an error")
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, tt.data) {
				t.Error("Load modified the file")
			}
		})
	}
}
