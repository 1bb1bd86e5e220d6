package ui

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/node"
)

// shotUI returns a UI, not started, over an offline peer of home in a
// test app.
func shotUI(t *testing.T, home string) (*UI, *node.Desktop) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 680))
	d := node.NewDesktop(home, node.DesktopConfig{Offline: true})
	u := New(a, w, d)
	t.Cleanup(func() {
		u.Close()
		d.Close()
	})
	return u, d
}

// demoUI returns a UI over the demo society (node.Demo), unlocked and
// showing the main screens, as `commons --demo` opens it.
func demoUI(t *testing.T) *UI {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := node.Demo(home, []byte(node.DemoPassphrase), nil); err != nil {
		t.Fatal(err)
	}
	u, d := shotUI(t, home)
	if err := d.Unlock([]byte(node.DemoPassphrase)); err != nil {
		t.Fatal(err)
	}
	u.Start()
	u.Wait()
	if u.Tabs() == nil {
		t.Fatal("the main screens are not shown")
	}
	return u
}

// readPNG reads a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// noSettle captures at once: test canvases render on capture.
func noSettle(t *testing.T) {
	old := screenshotSettle
	screenshotSettle = 0
	t.Cleanup(func() { screenshotSettle = old })
}

// luminance is an image's mean luminance, 0 (black) to 1 (white), from a
// sample of its pixels.
func luminance(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	var n int
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 0xffff
			n++
		}
	}
	return sum / float64(n)
}

func TestScreenshots(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	u.SetTheme(ThemeSystem)
	u.ShowTab(2)
	u.Wait()
	dir := filepath.Join(t.TempDir(), "shots")
	if err := u.Screenshots(dir, nil); err != nil {
		t.Fatal(err)
	}
	size := u.Window().Canvas().Size()
	for _, name := range ScreenNames {
		var lum [2]float64
		for i, th := range ScreenshotThemes {
			path := filepath.Join(dir, name+"-"+th+".png")
			img := readPNG(t, path)
			if b := img.Bounds(); b.Dx() != int(size.Width) || b.Dy() != int(size.Height) {
				t.Errorf("%s is %v, want the window's %v", path, b, size)
			}
			lum[i] = luminance(img)
		}
		if lum[0] < 0.6 || lum[1] > 0.4 {
			t.Errorf("%s: mean luminance light %.2f, dark %.2f", name, lum[0], lum[1])
		}
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(ScreenNames) * len(ScreenshotThemes); len(files) != want {
		t.Errorf("%d files in %s, want %d", len(files), dir, want)
	}
	// The theme and the tab chosen before are back.
	if th := u.app.Preferences().String(PrefTheme); th != ThemeSystem {
		t.Errorf("theme preference %q after the screenshots, want %q", th, ThemeSystem)
	}
	if i := u.Tabs().SelectedIndex(); i != 2 {
		t.Errorf("tab %d selected after the screenshots, want 2", i)
	}
}

func TestScreenshotsNamesAndErrors(t *testing.T) {
	noSettle(t)
	u, _ := shotUI(t, t.TempDir())
	u.Start()
	if err := u.Screenshots(t.TempDir(), nil); err == nil {
		t.Fatal("screenshots of the welcome screen did not fail")
	}

	u, d := shotUI(t, t.TempDir())
	if _, err := d.Create("Ann", []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.API().CreateSociety("Elm Street"); err != nil {
		t.Fatal(err)
	}
	u.Start()
	u.Wait()
	dir := t.TempDir()
	if err := u.Screenshots(dir, []string{"", "bank"}); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Name())
	}
	if len(got) != 2 || got[0] != "bank-dark.png" || got[1] != "bank-light.png" {
		t.Fatalf("files %v, want only bank-dark.png and bank-light.png", got)
	}
	// A file where the directory should be.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := u.Screenshots(file, nil); err == nil {
		t.Fatal("screenshots into a file did not fail")
	}
}

func TestBlank(t *testing.T) {
	uniform := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	dot := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	dot.SetNRGBA(12, 9, color.NRGBA{R: 0xff, A: 0xff})
	for _, c := range []struct {
		name string
		img  image.Image
		want bool
	}{
		{"one colour", uniform, true},
		{"one pixel differs", dot, false},
	} {
		if got := blank(c.img); got != c.want {
			t.Errorf("%s: blank = %v, want %v", c.name, got, c.want)
		}
	}
}
