package ui

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
)

// ScreenNames name the main screens, in tab order, for screenshot files.
var ScreenNames = []string{"home", "timebank", "contributions", "directory", "governance", "society", "settings"}

// ScreenshotThemes are the themes Screenshots captures, in order.
var ScreenshotThemes = []string{ThemeLight, ThemeDark}

// screenshotSettle is how long Screenshots lets a real window repaint
// before capturing it: a window's capture reads the last frame drawn.
// Tests, whose canvases render on capture, set it to zero.
var screenshotSettle = 700 * time.Millisecond

// Screenshots captures every main screen in each of ScreenshotThemes to
// dir/<name>-<theme>.png, where names[i] names tab i (ScreenNames when
// nil; tabs without a name are skipped). It runs off the UI goroutine
// (it waits for each screen's loads) once the main screens are shown,
// and puts the theme and tab chosen before back when done.
func (u *UI) Screenshots(dir string, names []string) error {
	if names == nil {
		names = ScreenNames
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ui: screenshots: %w", err)
	}
	u.Wait()
	var tabs, selected int
	var theme string
	fyne.DoAndWait(func() {
		if t := u.Tabs(); t != nil {
			tabs, selected = len(t.Items), t.SelectedIndex()
		}
		theme = u.app.Preferences().StringWithFallback(PrefTheme, ThemeSystem)
	})
	if tabs == 0 {
		return errors.New("ui: screenshots: the main screens are not shown (no identity unlocked, or no society)")
	}
	defer func() {
		fyne.DoAndWait(func() {
			u.SetTheme(theme)
			u.ShowTab(selected)
		})
		u.Wait()
	}()
	for _, th := range ScreenshotThemes {
		fyne.DoAndWait(func() { u.SetTheme(th) })
		for i, name := range names {
			if i >= tabs || name == "" {
				continue
			}
			if err := u.capture(func() { u.ShowTab(i) }, filepath.Join(dir, name+"-"+th+".png")); err != nil {
				return err
			}
		}
	}
	return nil
}

// PhoneScreenNames name the phone destinations PhoneScreenshots captures.
var PhoneScreenNames = []string{"home", "hours", "timebank", "directory"}

// PhoneSize is the window size of the phone screenshots (dp).
var PhoneSize = fyne.NewSize(360, 640)

// PhoneScreenshots narrows the window to PhoneSize, so that it shows the
// phone layout, and captures each of PhoneScreenNames in each of
// ScreenshotThemes to dir/phone-<name>-<theme>.png; then it puts the
// window's size, the theme and the tab back. Like Screenshots, it runs
// off the UI goroutine once the main screens are shown.
func (u *UI) PhoneScreenshots(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ui: screenshots: %w", err)
	}
	u.Wait()
	var size fyne.Size
	var selected int
	var theme string
	ok := false
	fyne.DoAndWait(func() {
		if ok = u.Tabs() != nil && u.phone != nil; ok {
			selected = u.Tabs().SelectedIndex()
		}
		size = u.win.Canvas().Size()
		theme = u.app.Preferences().StringWithFallback(PrefTheme, ThemeSystem)
		u.win.Resize(PhoneSize)
	})
	if !ok {
		return errors.New("ui: screenshots: the main screens are not shown (no identity unlocked, or no society)")
	}
	defer func() {
		fyne.DoAndWait(func() {
			u.SetTheme(theme)
			u.win.Resize(size)
			u.ShowTab(selected)
		})
		u.Wait()
	}()
	for _, th := range ScreenshotThemes {
		fyne.DoAndWait(func() { u.SetTheme(th) })
		for _, name := range PhoneScreenNames {
			if err := u.capture(func() { u.ShowPhone(name) }, filepath.Join(dir, "phone-"+name+"-"+th+".png")); err != nil {
				return err
			}
		}
	}
	return nil
}

// capture runs show on the UI goroutine, waits for the loads it starts
// and for the window to repaint, and writes the window to path.
func (u *UI) capture(show func(), path string) error {
	fyne.DoAndWait(show)
	u.Wait()
	if screenshotSettle > 0 {
		time.Sleep(screenshotSettle)
	}
	u.Wait()
	var img image.Image
	fyne.DoAndWait(func() { img = u.win.Canvas().Capture() })
	return writePNG(path, img)
}

// blank reports whether an image is of one colour (checking every third
// pixel of every third row), as when the OpenGL driver gives back an
// unpainted buffer.
func blank(img image.Image) bool {
	b := img.Bounds()
	r0, g0, b0, a0 := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if r, g, bl, a := img.At(x, y).RGBA(); r != r0 || g != g0 || bl != b0 || a != a0 {
				return false
			}
		}
	}
	return true
}

// writePNG writes an image to a PNG file, through a temporary file so
// that a failed write leaves no half file.
func writePNG(path string, img image.Image) error {
	if img == nil || img.Bounds().Empty() {
		return fmt.Errorf("ui: screenshots: %s: the window gave an empty capture", filepath.Base(path))
	}
	if blank(img) {
		return fmt.Errorf("ui: screenshots: %s: the window capture is blank: the OpenGL driver does not read windows back "+
			"(under Xvfb with Mesa, set GALLIUM_DRIVER=softpipe)", filepath.Base(path))
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".shot-*.png")
	if err != nil {
		return fmt.Errorf("ui: screenshots: %w", err)
	}
	defer os.Remove(f.Name())
	err = png.Encode(f, img)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("ui: screenshots: %s: %w", filepath.Base(path), err)
	}
	return nil
}
