#!/usr/bin/env bash
# Packages the Commons app for a phone with Fyne's packaging tool, reading
# the app ID, name, version and icon from FyneApp.toml.
#
#   scripts/package-phone.sh android            # Commons.apk, debug-signed
#   scripts/package-phone.sh android-release    # Commons.aab for Google Play (needs a keystore)
#   scripts/package-phone.sh ios                # Commons.app for a device (macOS with Xcode)
#
# Android needs the Android NDK (r25 or later) in ANDROID_NDK_HOME; iOS
# needs macOS with Xcode and a signing identity. Neither exists on the
# project's Linux machines, so CI checks only that the non-UI packages
# cross-compile for android/arm64 (make test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FYNE="go run fyne.io/tools/cmd/fyne@v1.7.4"
# libp2p lists network interfaces on Android through github.com/wlynxg/anet,
# which links to a Go runtime symbol that Go 1.23+ only allows with this flag.
export GOFLAGS="${GOFLAGS:-} -ldflags=-checklinkname=0"
# Phones have an emoji font of their own: leaving out Fyne's bundled one
# keeps about 30 MB of parsed font tables out of the app's memory (see
# ui.BenchmarkPhoneColdStart).
TAGS=no_emoji
need_ndk() {
	if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "${ANDROID_NDK_HOME}" ]; then
		echo "package-phone: set ANDROID_NDK_HOME to an Android NDK (r25 or later), e.g. from Android Studio's SDK Manager" >&2
		exit 2
	fi
}
case "${1:-}" in
android)
	need_ndk
	$FYNE package -os android -tags "$TAGS"
	;;
android-release)
	need_ndk
	: "${COMMONS_KEYSTORE:?set COMMONS_KEYSTORE to your upload keystore (.jks) and COMMONS_KEY_NAME to its key alias}"
	: "${COMMONS_KEY_NAME:?set COMMONS_KEY_NAME to the key alias in COMMONS_KEYSTORE}"
	$FYNE release -os android -tags "$TAGS" -keyStore "$COMMONS_KEYSTORE" -keyName "$COMMONS_KEY_NAME"
	;;
ios)
	if [ "$(uname -s)" != Darwin ] || ! command -v xcrun >/dev/null 2>&1; then
		echo "package-phone: iOS packages are built on macOS with Xcode installed" >&2
		exit 2
	fi
	$FYNE package -os ios -tags "$TAGS"
	;;
*)
	echo "usage: scripts/package-phone.sh android|android-release|ios" >&2
	exit 2
	;;
esac
