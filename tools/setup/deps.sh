#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install what gpufe's build, checks and VM tests need.
#
# Usage: tools/setup/deps.sh           install whatever is missing
#        tools/setup/deps.sh --check   exit 0, silently, if everything is
#                                      present; else list what is missing on
#                                      stderr and exit 1
#
# "Everything" is:
#  - the Debian packages in APT_PKGS;
#  - for each kernel series in SERIES, one complete kernel in
#    .cache/kernels/$KREL/: the header, kbuild and image packages of that
#    kernel release unpacked with dpkg -x (never installed: this machine's
#    /boot and module tree are not touched), made relocatable, with a
#    modules.dep, proven by building a trivial module, and stamped .complete.
#    Once a series has a complete kernel it is never fetched again, even if
#    the mirror has moved on, so --check works offline.  Delete the kernel's
#    directory to force a refresh;
#  - the host packages those kernels' build tools need (recorded per kernel
#    in .cache/kernels/$KREL/.hostdeps);
#  - the kselftest harness headers in .cache/kselftest/, checkpatch in
#    .cache/checkpatch/ and vgem's uAPI header in .cache/uapi/drm/, all
#    taken from the linux-source-6.12 package;
#  - the debug kernel (KASAN, lockdep, kmemleak, ...), built from the
#    linux-source-6.12 package by tools/setup/debug-kernel.sh once per
#    machine into a cache outside the clone and linked as
#    .cache/kernels/<version>-gpufe-debug.
#
# Idempotent; a run with nothing to do prints nothing.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$ROOT/.cache
KCACHE=$CACHE/kernels
KERNELS_SH=$ROOT/tools/setup/kernels.sh
DEBUG_KERNEL_SH=$ROOT/tools/setup/debug-kernel.sh

APT_PKGS=(
	qemu-system-x86 busybox-static cpio kmod gzip xz-utils rsync
	gcc gcc-multilib make pkg-config libdrm-dev sparse valgrind
	perl python3 python3-docutils
	linux-source-6.12
	# Building the debug kernel.
	bc bison flex libelf-dev libssl-dev
)

# Kernel series and the Debian meta package whose dependency names the
# newest ABI of that series (linux-headers-<KREL>).
SERIES=(6.1 6.12)
declare -A SERIES_META=(
	[6.1]=linux-headers-amd64
	[6.12]=linux-headers-6.12-amd64
)

LINUX_SOURCE=/usr/src/linux-source-6.12.tar.xz
KSELFTEST_FILES=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
)
CHECKPATCH_FILES=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
# uAPI headers the tests need that no Debian -dev package ships.
UAPI_DRM_FILES=(
	include/uapi/drm/vgem_drm.h
)

APT_UPDATED=0
TMPDIRS=()
TMPDIR_NEW=

log() { echo "deps.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
	local d

	for d in "${TMPDIRS[@]}"; do
		rm -rf "$d"
	done
}
trap cleanup EXIT

# make_tmpdir - set TMPDIR_NEW to a new scratch directory under .cache (same
# file system as the kernel cache, and far from tmpfs size limits), removed
# on exit.  Not called in a subshell, so that the trap knows the directory.
make_tmpdir() {
	TMPDIR_NEW=$(mktemp -d "$CACHE/tmp.XXXXXX")
	chmod 755 "$TMPDIR_NEW"
	TMPDIRS+=("$TMPDIR_NEW")
}

pkg_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# missing_pkgs PKG... - print the packages that are not installed.
missing_pkgs() {
	local p

	for p in "$@"; do
		pkg_installed "$p" || printf '%s\n' "$p"
	done
}

apt_update_once() {
	((APT_UPDATED)) && return 0
	log "apt-get update"
	apt-get update -qq
	APT_UPDATED=1
}

# apt_install PKG... - install the missing ones among PKG.
apt_install() {
	local missing

	mapfile -t missing < <(missing_pkgs "$@")
	((${#missing[@]})) || return 0
	((EUID == 0)) || die "not root: cannot install ${missing[*]}"
	apt_update_once
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
}

# pkg_available PKG - true if apt has an installable candidate for PKG.
pkg_available() {
	local cand

	cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[[ -n $cand && $cand != "(none)" ]]
}

# series_krel SERIES - the complete cached KREL of SERIES, if any.
series_krel() {
	"$KERNELS_SH" "$1" 2>/dev/null
}

# hostdeps_missing KREL - print the recorded host packages of KREL that are
# not installed.
hostdeps_missing() {
	local f=$KCACHE/$1/.hostdeps
	local -a deps

	[[ -f $f ]] || return 0
	mapfile -t deps <"$f"
	((${#deps[@]})) || return 0
	missing_pkgs "${deps[@]}"
}

# ---------------------------------------------------------------------------
# Kernels

# resolve_krel SERIES - ask apt for the newest KREL of SERIES.
resolve_krel() {
	local series=$1 meta=${SERIES_META[$1]} pkg krel next

	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2; exit }')
	[[ -n $pkg ]] || die "apt-cache depends $meta names no linux-headers package"
	krel=${pkg#linux-headers-}
	# Same whole-component rule as kernels.sh: 6.1 must not pick 6.12.
	next=${krel:${#series}:1}
	[[ $krel == "$series"* && $next != [0-9] ]] ||
		die "$meta resolved to $krel, not a $series kernel"
	printf '%s\n' "$krel"
}

# deb_depends DEB... - the package names the debs depend on, first
# alternative only, without version or architecture qualifiers.
deb_depends() {
	local deb

	for deb in "$@"; do
		dpkg-deb -f "$deb" Depends
	done | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:.*//' \
		-e 's/[[:space:]]//g' | sed '/^$/d' | sort -u
}

# relocate_tree DEST KREL - make the unpacked kernel at DEST usable where it
# is: absolute symlinks (lib/modules/$KREL/build -> /usr/src/...) become
# relative ones inside DEST, and the header Makefile, which includes the
# -common tree's Makefile by absolute path, includes it relative to itself.
relocate_tree() {
	local dest=$1 krel=$2 link target mk

	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		[[ $target == /* ]] || continue
		ln -sfn "$(realpath -m -s --relative-to="$(dirname "$link")" \
			"$dest$target")" "$link"
	done < <(find "$dest" -type l -print0)

	mk=$dest/usr/src/linux-headers-$krel/Makefile
	[[ -f $mk ]] || die "$krel: no header Makefile at $mk"
	# The Makefile lives in usr/src/linux-headers-$KREL/, so /usr/src/ is
	# its parent directory.  Kbuild takes srctree from the included
	# Makefile's own location, so this is all it needs.
	# shellcheck disable=SC2016 # $(...) here is make syntax
	sed -i -E 's@^include /usr/src/@include $(dir $(realpath $(lastword $(MAKEFILE_LIST))))../@' "$mk"
	if grep -Eq '^[[:space:]]*-?include[[:space:]]+/' "$mk"; then
		die "$krel: $mk still includes an absolute path"
	fi
}

# verify_tree DEST KREL - check that the unpacked kernel is whole.
verify_tree() {
	local dest=$1 krel=$2 hdr link resolved

	hdr=$dest/usr/src/linux-headers-$krel
	[[ -f $hdr/Makefile ]] || die "$krel: missing $hdr/Makefile"
	[[ -f $dest/boot/vmlinuz-$krel ]] || die "$krel: missing boot/vmlinuz-$krel"
	[[ -f $dest/lib/modules/$krel/modules.dep ]] ||
		die "$krel: missing lib/modules/$krel/modules.dep"
	# Every symlink in the header trees (scripts/, tools/, ...) and the
	# module tree must resolve, and to a place inside DEST.
	while IFS= read -r -d '' link; do
		resolved=$(realpath -e "$link" 2>/dev/null) ||
			die "$krel: dangling symlink ${link#"$dest"/} -> $(readlink "$link")"
		[[ $resolved == "$(realpath "$dest")"/* ]] ||
			die "$krel: symlink ${link#"$dest"/} leaves the cache: $resolved"
	done < <(find "$dest/usr/src" "$dest/lib/modules/$krel" -maxdepth 2 -type l -print0)
}

# test_build DEST KREL - build a trivial module against the unpacked headers.
test_build() {
	local dest=$1 krel=$2 dir vermagic

	make_tmpdir
	dir=$TMPDIR_NEW/mod
	mkdir -p "$dir"
	cat >"$dir/depstest.c" <<-'EOF'
		#include <linux/module.h>
		#include <linux/init.h>

		static int __init depstest_init(void)
		{
			pr_info("depstest loaded\n");
			return 0;
		}
		module_init(depstest_init);

		static void __exit depstest_exit(void)
		{
		}
		module_exit(depstest_exit);

		MODULE_DESCRIPTION("deps.sh header tree test");
		MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := depstest.o' >"$dir/Kbuild"
	if ! make -C "$dest/usr/src/linux-headers-$krel" M="$dir" modules \
		>"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "$krel: test module build failed"
	fi
	vermagic=$(modinfo -F vermagic "$dir/depstest.ko")
	[[ $vermagic == "$krel "* ]] ||
		die "$krel: test module has vermagic '$vermagic'"
}

# fetch_kernel KREL - download and unpack one kernel into .cache/kernels/KREL.
fetch_kernel() {
	local krel=$1 dest=$KCACHE/$1 tmp hdr common kbuild image deb
	local -a debs hostdeps

	hdr=linux-headers-$krel
	pkg_available "$hdr" || die "$hdr is not available from apt"
	common=$(apt-cache depends "$hdr" |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-.*-common$/ { print $2; exit }')
	kbuild=$(apt-cache depends "$hdr" |
		awk '$1 == "Depends:" && $2 ~ /^linux-kbuild-/ { print $2; exit }')
	[[ -n $common && -n $kbuild ]] ||
		die "$hdr: cannot find its -common and linux-kbuild dependencies"
	image=linux-image-$krel
	pkg_available "$image" || image=linux-image-$krel-unsigned
	pkg_available "$image" || die "neither linux-image-$krel nor $image exists"

	log "fetching kernel $krel ($hdr $common $kbuild $image)"
	make_tmpdir
	tmp=$TMPDIR_NEW
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$hdr" "$common" "$kbuild" "$image" >/dev/null)
	debs=("$tmp"/*.deb)
	((${#debs[@]} == 4)) || die "$krel: expected 4 .deb files, got ${#debs[@]}"

	# Host packages the build tools need (gcc-12, libelf1, pahole, ...),
	# minus the kernel packages unpacked here and linux-base, which only
	# serves an installed kernel's maintainer scripts.
	mapfile -t hostdeps < <(deb_depends "$tmp"/linux-headers-*.deb \
		"$tmp"/linux-kbuild-*.deb |
		grep -Ev '^(linux-(headers|kbuild|image)-.*|linux-base)$' || true)
	((${#hostdeps[@]} == 0)) || apt_install "${hostdeps[@]}"

	rm -rf "$dest"
	mkdir -p "$dest"
	for deb in "${debs[@]}"; do
		dpkg -x "$deb" "$dest"
	done
	relocate_tree "$dest" "$krel"
	# modules.dep is made by the image's postinst, which never ran here.
	depmod -b "$dest" "$krel"
	verify_tree "$dest" "$krel"
	test_build "$dest" "$krel"

	printf '%s\n' "${hostdeps[@]}" >"$dest/.hostdeps"
	date -u +%FT%TZ >"$dest/.complete"
	log "kernel $krel ready in ${dest#"$ROOT"/}"
}

ensure_kernels() {
	local series krel
	local -a miss

	for series in "${SERIES[@]}"; do
		if krel=$(series_krel "$series"); then
			# Complete; only make sure its host tools are still there.
			mapfile -t miss < <(hostdeps_missing "$krel")
			((${#miss[@]} == 0)) || apt_install "${miss[@]}"
			continue
		fi
		apt_update_once
		krel=$(resolve_krel "$series")
		fetch_kernel "$krel"
	done
}

# ---------------------------------------------------------------------------
# Files from the kernel source package

# extract_source_files DESTDIR FILE... - copy FILEs (paths inside the kernel
# source) out of linux-source-6.12 into DESTDIR, flat, then stamp DESTDIR.
extract_source_files() {
	local destdir=$1 tmp f
	shift

	[[ -f $LINUX_SOURCE ]] || die "$LINUX_SOURCE missing (linux-source-6.12)"
	make_tmpdir
	tmp=$TMPDIR_NEW
	tar -xJf "$LINUX_SOURCE" -C "$tmp" --wildcards "${@/#/*/}"
	rm -rf "$destdir"
	mkdir -p "$destdir"
	for f in "$@"; do
		cp "$tmp"/*/"$f" "$destdir/" || die "$f not found in $LINUX_SOURCE"
	done
	dpkg-query -W -f='${Package} ${Version}\n' linux-source-6.12 >"$destdir/.complete"
}

ensure_source_files() {
	[[ -f $CACHE/kselftest/.complete ]] ||
		extract_source_files "$CACHE/kselftest" "${KSELFTEST_FILES[@]}"
	[[ -f $CACHE/checkpatch/.complete ]] ||
		extract_source_files "$CACHE/checkpatch" "${CHECKPATCH_FILES[@]}"
	[[ -f $CACHE/uapi/drm/.complete ]] ||
		extract_source_files "$CACHE/uapi/drm" "${UAPI_DRM_FILES[@]}"
}

# ---------------------------------------------------------------------------

# check - report what is missing; return 0 if nothing is.
check() {
	local ok=0 series krel miss

	miss=$(missing_pkgs "${APT_PKGS[@]}")
	[[ -z $miss ]] || { log "missing packages: ${miss//$'\n'/ }"; ok=1; }
	for series in "${SERIES[@]}"; do
		if ! krel=$(series_krel "$series"); then
			log "no complete $series kernel in ${KCACHE#"$ROOT"/}"
			ok=1
			continue
		fi
		miss=$(hostdeps_missing "$krel")
		[[ -z $miss ]] || { log "missing packages for $krel: ${miss//$'\n'/ }"; ok=1; }
	done
	[[ -f $CACHE/kselftest/.complete ]] || { log "kselftest headers missing"; ok=1; }
	[[ -f $CACHE/checkpatch/.complete ]] || { log "checkpatch missing"; ok=1; }
	[[ -f $CACHE/uapi/drm/.complete ]] || { log "uAPI headers missing"; ok=1; }
	"$DEBUG_KERNEL_SH" --check || ok=1
	return "$ok"
}

main() {
	case ${1:-} in
	--check)
		check
		return
		;;
	"") ;;
	*)
		echo "usage: $0 [--check]" >&2
		return 1
		;;
	esac

	mkdir -p "$KCACHE"
	# One installer at a time; leftovers of an interrupted run go.
	exec 9>"$CACHE/.deps.lock"
	flock 9
	rm -rf "$CACHE"/tmp.*

	apt_install "${APT_PKGS[@]}"
	ensure_kernels
	ensure_source_files
	"$DEBUG_KERNEL_SH"
}

main "$@"
