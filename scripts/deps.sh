#!/usr/bin/env bash
# Installs the system packages Fyne needs to build the Commons desktop app
# (cgo, OpenGL, X11/Wayland headers) on Debian and Ubuntu.
#
# For each package it asks dpkg-query whether it is installed. When some are
# missing it installs them with apt-get: directly when running as root,
# through sudo when not root and sudo exists; otherwise it stops and prints
# the exact command to run. On a machine without dpkg-query (not Debian or
# Ubuntu) it prints a notice and does nothing.
#
# With --screenshots it also installs what `make screenshots` needs to run
# the app without a display: the Xvfb virtual X server, xauth (for
# xvfb-run) and Mesa's software OpenGL drivers.
set -euo pipefail

packages=(gcc libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev pkg-config)
for arg in "$@"; do
	case "$arg" in
	--screenshots) packages+=(xvfb xauth libgl1-mesa-dri) ;;
	*)
		echo "deps: unknown option $arg (only --screenshots)" >&2
		exit 2
		;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: dpkg-query not found: not a Debian/Ubuntu system; skipping system package check."
	echo "deps: install Fyne's prerequisites yourself: https://docs.fyne.io/started/"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ "$status" != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "deps: system packages present: ${packages[*]}"
	exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
echo "deps: missing system packages: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
if [[ $(id -u) -eq 0 ]]; then
	echo "deps: running: $cmd"
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
elif command -v sudo >/dev/null 2>&1; then
	echo "deps: running through sudo: $cmd"
	sudo DEBIAN_FRONTEND=noninteractive apt-get update
	sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
	echo "deps: not root and sudo is not available; as root, run:" >&2
	echo "    $cmd" >&2
	exit 1
fi
echo "deps: installed: ${missing[*]}"
