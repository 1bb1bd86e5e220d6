package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// FileName is the conventional name of the key file inside a node's data
// directory.
const FileName = "identity.key"

// Key file format constants.
const (
	keyfileVersion = 1
	kdfArgon2id    = "argon2id"
	saltSize       = 16
	keySize        = chacha20poly1305.KeySize

	// maxKeyfileSize bounds how much Load reads; a real key file is < 1 KiB.
	maxKeyfileSize = 64 << 10
	// Upper bounds on the cost parameters accepted by Load, so that a
	// damaged or hostile file cannot make Load allocate or spin absurdly.
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 20

	// adDomain prefixes the AEAD additional data.
	adDomain = "commons/identity-keyfile\x00"
)

// kdfParams are the argon2id cost parameters.
type kdfParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// defaultParams are the argon2id parameters used by Save and
// ChangePassphrase: 64 MiB, 2 passes, 2 lanes.
var defaultParams = kdfParams{Time: 2, MemoryKiB: 64 << 10, Threads: 2}

// phoneParams are the argon2id parameters of a key file made on a phone:
// 19 MiB, 2 passes, 1 lane, the first configuration OWASP's Password
// Storage Cheat Sheet recommends for argon2id. A guess costs an attacker
// holding the file about a third of the desktop's memory-time product,
// still memory-hard (no cheap GPU or ASIC shortcut), on a file that lives
// in the app's private storage, behind a passphrase of at least
// MinPassphraseLen characters; unlocking then needs 19 MiB instead of 64
// on a device where the whole app should stay under 100 MB.
var phoneParams = kdfParams{Time: 2, MemoryKiB: 19 << 10, Threads: 1}

// KDF is the cost profile of the passphrase's key derivation for a new key
// file. Load reads the parameters from the file's header, so files of
// either profile (and of earlier defaults) keep opening.
type KDF uint8

const (
	// KDFDesktop is the default: argon2id with 64 MiB, 2 passes, 2 lanes.
	KDFDesktop KDF = iota
	// KDFPhone is for keys made on a phone: argon2id with 19 MiB, 2
	// passes, 1 lane (OWASP's recommended minimum).
	KDFPhone
)

// params returns the profile's argon2id parameters.
func (k KDF) params() kdfParams {
	if k == KDFPhone {
		return phoneParams
	}
	return defaultParams
}

// String names the profile with its cost.
func (k KDF) String() string {
	p := k.params()
	return fmt.Sprintf("argon2id m=%d MiB t=%d p=%d", p.MemoryKiB>>10, p.Time, p.Threads)
}

// check rejects parameters that argon2 cannot use or that are absurd.
func (p kdfParams) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time %d out of range [1, %d]", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("argon2id threads is 0")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB out of range [%d, %d]", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

// header is the authenticated, unencrypted part of the key file.
type header struct {
	Version   int    `json:"version"`
	KDF       string `json:"kdf"`
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Nonce     []byte `json:"nonce"`
}

// envelope is the whole key file: the header plus the ciphertext.
type envelope struct {
	header
	Ciphertext []byte `json:"ciphertext"`
}

// additionalData returns the AEAD additional data binding the header.
func (h header) additionalData() ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return append([]byte(adDomain), b...), nil
}

// secrets is the plaintext inside the key file.
type secrets struct {
	Name       string     `json:"name"`
	MemberSeed []byte     `json:"member_seed"`
	DeviceSeed []byte     `json:"device_seed"`
	Cert       DeviceCert `json:"cert"`
}

// deriveKey runs argon2id over passphrase with the header's salt and costs.
func deriveKey(passphrase []byte, h header) []byte {
	return argon2.IDKey(passphrase, h.Salt, h.Time, h.MemoryKiB, h.Threads, keySize)
}

// Save writes id to path, encrypted with a key derived from passphrase by
// argon2id (64 MiB, 2 passes, 2 threads, random 16-byte salt) and sealed
// with XChaCha20-Poly1305 under a random nonce. The file is a versioned
// JSON envelope whose header fields are authenticated as AEAD additional
// data. The write is atomic (temporary file in the same directory, fsync,
// rename, fsync of the directory) and the file ends with mode 0600; the
// parent directory is created with mode 0700 if missing. An empty
// passphrase is refused with ErrEmptyPassphrase, and an inconsistent
// identity with ErrBadIdentity.
func Save(path string, id *Identity, passphrase []byte) error {
	return save(path, id, passphrase, defaultParams)
}

// SaveKDF is Save with the key derivation of profile k (KDFPhone on a
// phone).
func SaveKDF(path string, id *Identity, passphrase []byte, k KDF) error {
	return save(path, id, passphrase, k.params())
}

// save is Save with explicit cost parameters (tests use cheaper ones).
func save(path string, id *Identity, passphrase []byte, p kdfParams) error {
	if len(passphrase) == 0 {
		return fmt.Errorf("identity: save %s: %w", path, ErrEmptyPassphrase)
	}
	if err := id.Validate(); err != nil {
		return fmt.Errorf("identity: save %s: %w", path, err)
	}
	if err := p.check(); err != nil {
		return fmt.Errorf("identity: save %s: %w", path, err)
	}
	data, err := seal(id, passphrase, p)
	if err != nil {
		return fmt.Errorf("identity: save %s: %w", path, err)
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("identity: save %s: %w", path, err)
	}
	return nil
}

// seal encrypts id and returns the key file bytes.
func seal(id *Identity, passphrase []byte, p kdfParams) ([]byte, error) {
	plain, err := json.Marshal(secrets{
		Name:       id.Name,
		MemberSeed: id.Member.Seed(),
		DeviceSeed: id.Device.Seed(),
		Cert:       id.Cert,
	})
	if err != nil {
		return nil, fmt.Errorf("encode secrets: %w", err)
	}
	defer clear(plain)
	return sealPlaintext(plain, passphrase, p)
}

// sealPlaintext encrypts plain under a fresh salt and nonce and returns the
// key file bytes.
func sealPlaintext(plain, passphrase []byte, p kdfParams) ([]byte, error) {
	h := header{
		Version:   keyfileVersion,
		KDF:       kdfArgon2id,
		Salt:      make([]byte, saltSize),
		Time:      p.Time,
		MemoryKiB: p.MemoryKiB,
		Threads:   p.Threads,
		Nonce:     make([]byte, chacha20poly1305.NonceSizeX),
	}
	if _, err := io.ReadFull(rand.Reader, h.Salt); err != nil {
		return nil, fmt.Errorf("random salt: %w", err)
	}
	if _, err := io.ReadFull(rand.Reader, h.Nonce); err != nil {
		return nil, fmt.Errorf("random nonce: %w", err)
	}
	ad, err := h.additionalData()
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	key := deriveKey(passphrase, h)
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	env := envelope{header: h, Ciphertext: aead.Seal(nil, h.Nonce, plain, ad)}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode key file: %w", err)
	}
	return append(out, '\n'), nil
}

// Load reads the key file at path and decrypts it with passphrase.
//
// Errors:
//   - a missing file gives an error wrapping fs.ErrNotExist;
//   - a file that is not a well-formed version-1 argon2id envelope with
//     sane parameters (at most 1 GiB of memory, at most 20 passes), or whose
//     decrypted contents are inconsistent (keys and certificate do not
//     match), gives ErrCorruptKeyfile;
//   - a failed AEAD open gives ErrWrongPassphrase. This covers both a wrong
//     passphrase and a well-formed file whose ciphertext or header fields
//     (salt, nonce, cost parameters) were altered, which cannot be told
//     apart.
//
// Load never modifies the file.
func Load(path string, passphrase []byte) (*Identity, error) {
	id, err := load(path, passphrase)
	if err != nil {
		return nil, fmt.Errorf("identity: load %s: %w", path, err)
	}
	return id, nil
}

// load is Load without the path prefix on errors.
func load(path string, passphrase []byte) (*Identity, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	return openKeyfile(data, passphrase)
}

// readLimited reads at most maxKeyfileSize bytes of path.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyfileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorruptKeyfile, maxKeyfileSize)
	}
	return data, nil
}

// openKeyfile parses and decrypts key file bytes.
func openKeyfile(data, passphrase []byte) (*Identity, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptKeyfile, err)
	}
	h := env.header
	if h.Version != keyfileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptKeyfile, h.Version)
	}
	if h.KDF != kdfArgon2id {
		return nil, fmt.Errorf("%w: unsupported kdf %q", ErrCorruptKeyfile, h.KDF)
	}
	if err := (kdfParams{Time: h.Time, MemoryKiB: h.MemoryKiB, Threads: h.Threads}).check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptKeyfile, err)
	}
	if len(h.Salt) != saltSize {
		return nil, fmt.Errorf("%w: salt is %d bytes, want %d", ErrCorruptKeyfile, len(h.Salt), saltSize)
	}
	if len(h.Nonce) != chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("%w: nonce is %d bytes, want %d", ErrCorruptKeyfile, len(h.Nonce), chacha20poly1305.NonceSizeX)
	}
	if len(env.Ciphertext) < chacha20poly1305.Overhead {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, too short", ErrCorruptKeyfile, len(env.Ciphertext))
	}
	ad, err := h.additionalData()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptKeyfile, err)
	}
	key := deriveKey(passphrase, h)
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	plain, err := aead.Open(nil, h.Nonce, env.Ciphertext, ad)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	defer clear(plain)
	var s secrets
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, fmt.Errorf("%w: decrypted contents: %w", ErrCorruptKeyfile, err)
	}
	defer clear(s.MemberSeed)
	defer clear(s.DeviceSeed)
	if len(s.MemberSeed) != ed25519.SeedSize || len(s.DeviceSeed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: seeds have wrong length", ErrCorruptKeyfile)
	}
	id := &Identity{
		Name:   s.Name,
		Member: ed25519.NewKeyFromSeed(s.MemberSeed),
		Device: ed25519.NewKeyFromSeed(s.DeviceSeed),
		Cert:   s.Cert,
	}
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptKeyfile, err)
	}
	return id, nil
}

// ChangePassphrase re-encrypts the key file at path under newPass, using the
// current default cost parameters and a fresh salt and nonce. The file is
// replaced atomically; with a wrong oldPass (ErrWrongPassphrase) or an empty
// newPass (ErrEmptyPassphrase) it is left untouched.
func ChangePassphrase(path string, oldPass, newPass []byte) error {
	return changePassphrase(path, oldPass, newPass, defaultParams)
}

// changePassphrase is ChangePassphrase with explicit cost parameters.
func changePassphrase(path string, oldPass, newPass []byte, p kdfParams) error {
	if len(newPass) == 0 {
		return fmt.Errorf("identity: change passphrase of %s: %w", path, ErrEmptyPassphrase)
	}
	id, err := load(path, oldPass)
	if err != nil {
		return fmt.Errorf("identity: change passphrase of %s: %w", path, err)
	}
	return save(path, id, newPass, p)
}

// writeAtomic replaces path with data: it writes a 0600 temporary file in
// the same directory, syncs it, renames it over path and syncs the
// directory. The directory is created with mode 0700 if missing.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that a rename in it is durable. Windows
// cannot open directories for syncing; there it is a no-op.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}
