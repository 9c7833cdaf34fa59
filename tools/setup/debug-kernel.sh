#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build the debug test kernel from linux-source-6.12, once
# per machine, and show it to this clone as one of its cached kernels.
#
# Usage: tools/setup/debug-kernel.sh            build it if the cache lacks
#                                               it, then link it
#        tools/setup/debug-kernel.sh --check    exit 0, silently, if it is
#                                               built and linked; else say
#                                               what is missing, exit 1
#        tools/setup/debug-kernel.sh --rebuild  build it again, even if the
#                                               cache has it
#        tools/setup/debug-kernel.sh --dir      print the kernel's cache
#                                               directory
#
# The kernel: Debian's linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz)
# configured with "make x86_64_defconfig kvm_guest.config", merged with
# tools/setup/debug-kernel.config by scripts/kconfig/merge_config.sh (KASAN,
# lockdep, kmemleak, UBSAN, debug objects, DMA-API debugging, ...; most
# drivers off), every line of that fragment checked against the final
# .config.  Its release is <version>-gpufe-debug, e.g. 6.12.118-gpufe-debug.
#
# The cache is outside the clone, so that every clone and CI run on this
# machine shares one build:
#   ${GPUFE_DEBUG_KERNEL_CACHE:-/var/cache/gpufe/debug-kernel}/KEY/
# where KEY hashes the fragment, the linux-source-6.12 package version and
# RECIPE below; a change to any of them is a new directory and a new build.
# KEY/ has the layout of the stock kernels in .cache/kernels/KREL/:
#   boot/vmlinuz-KREL                 the bzImage (and config-, System.map-)
#   lib/modules/KREL/                 modules_install, depmod'ed; build ->
#                                     the header tree
#   usr/src/linux-headers-KREL/       a tree for "make -C ... M=DIR", made by
#                                     the kernel's install-extmod-build
#   build.log                         the build's output (a failed
#                                     build's stays in last-build.log)
#   .complete                         stamp: the build finished
# and this clone's .cache/kernels/KREL is a symlink to it.
#
# A build runs in KEY's sibling .tmp.XXXXXX/ and is renamed to KEY/ when it
# is whole, under a lock, so concurrent runs build once.  Delete KEY/ (or use
# --rebuild) to force a new build; directories of old keys are never used
# again and can be deleted.
#
# Idempotent; a run with nothing to do prints nothing.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KCACHE=$ROOT/.cache/kernels
FRAGMENT=$ROOT/tools/setup/debug-kernel.config
DKCACHE=${GPUFE_DEBUG_KERNEL_CACHE:-/var/cache/gpufe/debug-kernel}
LINUX_SOURCE=/usr/src/linux-source-6.12.tar.xz
SOURCE_PKG=linux-source-6.12
SUFFIX=-gpufe-debug
# Bump on any change to how the kernel is built or laid out in the cache.
RECIPE=1

TMPDIR_BUILD=

log() { echo "debug-kernel.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
	[[ -z $TMPDIR_BUILD ]] || rm -rf "$TMPDIR_BUILD"
}
trap cleanup EXIT

# source_version - the installed linux-source-6.12 package version.
source_version() {
	dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null
}

# cache_key - the build's inputs, hashed: the recipe, the source package's
# version and the fragment's contents.
cache_key() {
	local version

	version=$(source_version) || die "$SOURCE_PKG is not installed"
	[[ -f $FRAGMENT ]] || die "missing $FRAGMENT"
	{
		echo "recipe $RECIPE"
		echo "source $SOURCE_PKG $version"
		cat "$FRAGMENT"
	} | sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------
# The build

# kmake ARGS... - make in the source tree with the object tree, none of the
# caller's kbuild or make settings leaking in (make check runs this script
# from a make, whose MAKEFLAGS carry its command line's variables).
kmake() {
	env -u ARCH -u CROSS_COMPILE -u LOCALVERSION -u KBUILD_OUTPUT \
		-u KCONFIG_CONFIG -u KBUILD_EXTMOD -u INSTALL_MOD_PATH \
		-u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -C "$SRC" O="$OBJ" "$@"
}

# verify_config CONFIG - every line of the fragment must hold in CONFIG:
# merge_config.sh only warns when a symbol did not get the value asked
# (a missing dependency, a select from elsewhere), so check here and fail.
verify_config() {
	local config=$1 line sym want got bad=0

	while IFS= read -r line; do
		if [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]}
			want=n
		elif [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]}
			want=${BASH_REMATCH[2]}
		else
			continue
		fi
		got=$(sed -n "s/^$sym=//p" "$config")
		[[ -n $got ]] || got=n
		if [[ $got != "$want" ]]; then
			log "$sym: the fragment asks for $want, the .config has $got"
			bad=1
		fi
	done <"$FRAGMENT"
	((bad == 0)) || die "the merged .config does not match ${FRAGMENT#"$ROOT"/}"
}

# test_build HDR KREL - build a trivial module against the header tree.
test_build() {
	local hdr=$1 krel=$2 dir=$TMPDIR_BUILD/modtest vermagic

	mkdir -p "$dir"
	cat >"$dir/dktest.c" <<-'EOF'
		#include <linux/module.h>
		#include <linux/init.h>

		static int __init dktest_init(void)
		{
			return 0;
		}
		module_init(dktest_init);

		static void __exit dktest_exit(void)
		{
		}
		module_exit(dktest_exit);

		MODULE_DESCRIPTION("debug-kernel.sh header tree test");
		MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := dktest.o' >"$dir/Kbuild"
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -C "$hdr" M="$dir" modules >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "$krel: test module build against $hdr failed"
	fi
	vermagic=$(modinfo -F vermagic "$dir/dktest.ko")
	[[ $vermagic == "$krel "* ]] ||
		die "$krel: test module has vermagic '$vermagic'"
}

# build KEYDIR - build the kernel into KEYDIR, which must not exist.  Called
# with the cache lock held.
build() {
	local keydir=$1 out krel version start=$SECONDS hdr blog
	local -a jobs=(-j"$(nproc)")

	[[ -f $LINUX_SOURCE ]] || die "$LINUX_SOURCE missing ($SOURCE_PKG)"
	TMPDIR_BUILD=$(mktemp -d "$DKCACHE/.tmp.XXXXXX")
	SRC=$TMPDIR_BUILD/src OBJ=$TMPDIR_BUILD/obj out=$TMPDIR_BUILD/out
	blog=$DKCACHE/last-build.log
	: >"$blog"
	mkdir -p "$SRC" "$OBJ" "$out"
	log "building the debug kernel from $SOURCE_PKG $(source_version)" \
		"in ${keydir%/*}/ (a few minutes; log: $blog)"

	tar -xJf "$LINUX_SOURCE" -C "$SRC" --strip-components=1

	{
		kmake x86_64_defconfig kvm_guest.config
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
			"$OBJ/.config" "$FRAGMENT"
		kmake olddefconfig
	} >>"$blog" 2>&1 || { tail -n 30 "$blog" >&2; die "configuration failed"; }
	verify_config "$OBJ/.config"

	if ! kmake "${jobs[@]}" bzImage modules >>"$blog" 2>&1; then
		grep -E -m 20 'error|Error' "$blog" >&2 || tail -n 30 "$blog" >&2
		die "the kernel build failed; see $blog"
	fi
	version=$(kmake -s kernelversion)
	krel=$(<"$OBJ/include/config/kernel.release")
	[[ $krel == "$version$SUFFIX" ]] ||
		die "the kernel release is '$krel', not '$version$SUFFIX'"

	# The image, then the modules, then a header tree for M= builds,
	# which the modules' build link points to.
	mkdir -p "$out/boot"
	cp "$OBJ/arch/x86/boot/bzImage" "$out/boot/vmlinuz-$krel"
	cp "$OBJ/.config" "$out/boot/config-$krel"
	cp "$OBJ/System.map" "$out/boot/System.map-$krel"
	kmake INSTALL_MOD_PATH="$out" DEPMOD=/sbin/depmod modules_install \
		>>"$blog" 2>&1 || { tail -n 30 "$blog" >&2; die "modules_install failed"; }
	hdr=$out/usr/src/linux-headers-$krel
	kmake -s run-command KBUILD_RUN_COMMAND="$SRC/scripts/package/install-extmod-build $hdr" \
		>>"$blog" 2>&1 || { tail -n 30 "$blog" >&2; die "install-extmod-build failed"; }
	cp "$OBJ/.config" "$hdr/.config"
	ln -sfn "../../../usr/src/linux-headers-$krel" "$out/lib/modules/$krel/build"
	rm -f "$out/lib/modules/$krel/source"
	depmod -b "$out" "$krel"
	verify_tree "$out" "$krel"
	test_build "$hdr" "$krel"

	{
		echo "recipe $RECIPE"
		echo "source $SOURCE_PKG $(source_version)"
		echo "release $krel"
		echo "built $(date -u +%FT%TZ) in $((SECONDS - start)) s on $(nproc) CPUs"
	} >"$out/.build-info"
	cp "$blog" "$out/build.log"
	date -u +%FT%TZ >"$out/.complete"
	mv "$out" "$keydir"
	log "$krel built in $((SECONDS - start)) s: $keydir"
}

# verify_tree DIR KREL - the built tree has what the VM runner and the
# module build use, and no symlink that leaves it.
verify_tree() {
	local dir=$1 krel=$2 link resolved

	[[ -f $dir/boot/vmlinuz-$krel ]] || die "$krel: no boot/vmlinuz-$krel"
	[[ -f $dir/lib/modules/$krel/modules.dep ]] ||
		die "$krel: no lib/modules/$krel/modules.dep"
	[[ -f $dir/usr/src/linux-headers-$krel/Makefile ]] ||
		die "$krel: no usr/src/linux-headers-$krel/Makefile"
	[[ -f $dir/usr/src/linux-headers-$krel/include/generated/utsrelease.h ]] ||
		die "$krel: no utsrelease.h in the header tree"
	while IFS= read -r -d '' link; do
		resolved=$(realpath -e "$link" 2>/dev/null) ||
			die "$krel: dangling symlink ${link#"$dir"/} -> $(readlink "$link")"
		[[ $resolved == "$(realpath "$dir")"/* ]] ||
			die "$krel: symlink ${link#"$dir"/} leaves the tree: $resolved"
	done < <(find "$dir" -type l -print0)
	modprobe -d "$dir" -S "$krel" --show-depends vgem >/dev/null ||
		die "$krel: modprobe cannot resolve vgem in lib/modules/$krel"
}

# ---------------------------------------------------------------------------
# The link from this clone

# keydir_krel KEYDIR - the release of the kernel built in KEYDIR.
keydir_krel() {
	sed -n 's/^release //p' "$1/.build-info"
}

# linked KEYDIR - true if .cache/kernels/KREL is the symlink to KEYDIR and
# no other debug kernel is linked.
linked() {
	local keydir=$1 krel link

	krel=$(keydir_krel "$keydir")
	[[ -n $krel && -L $KCACHE/$krel &&
		$(readlink "$KCACHE/$krel") == "$keydir" ]] || return 1
	for link in "$KCACHE"/*"$SUFFIX"; do
		[[ ! -e $link && ! -L $link ]] || [[ $link == "$KCACHE/$krel" ]] ||
			return 1
	done
}

# link KEYDIR - make .cache/kernels/KREL the symlink to KEYDIR, and remove
# the links of other debug kernels (another key, another release).
link() {
	local keydir=$1 krel link

	krel=$(keydir_krel "$keydir")
	[[ -n $krel ]] || die "$keydir/.build-info names no release"
	mkdir -p "$KCACHE"
	for link in "$KCACHE"/*"$SUFFIX"; do
		[[ -L $link ]] || continue
		[[ $link == "$KCACHE/$krel" ]] && continue
		rm -f "$link"
	done
	[[ ! -e $KCACHE/$krel || -L $KCACHE/$krel ]] ||
		die "$KCACHE/$krel exists and is not a symlink"
	ln -sfn "$keydir" "$KCACHE/$krel.new"
	mv -T "$KCACHE/$krel.new" "$KCACHE/$krel"
}

# ---------------------------------------------------------------------------

check() {
	local keydir

	keydir=$DKCACHE/$(cache_key)
	if [[ ! -f $keydir/.complete ]]; then
		log "the debug kernel is not built (no $keydir)"
		return 1
	fi
	if ! linked "$keydir"; then
		log "the debug kernel in $keydir is not linked in ${KCACHE#"$ROOT"/}"
		return 1
	fi
}

main() {
	local mode=${1:-} keydir

	case $mode in
	--check)
		check
		return
		;;
	--dir)
		echo "$DKCACHE/$(cache_key)"
		return
		;;
	"" | --rebuild) ;;
	*)
		sed -n '6,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
		return 1
		;;
	esac

	keydir=$DKCACHE/$(cache_key)
	if [[ $mode != --rebuild && -f $keydir/.complete ]]; then
		linked "$keydir" || link "$keydir"
		return
	fi

	if ! mkdir -p "$DKCACHE" 2>/dev/null || [[ ! -w $DKCACHE ]]; then
		die "cannot write $DKCACHE (run as root, or set GPUFE_DEBUG_KERNEL_CACHE)"
	fi
	# One builder per cache; whoever waited finds the kernel built.
	exec 8>"$DKCACHE/.lock"
	if ! flock -n 8; then
		log "waiting for another build in $DKCACHE"
		flock 8
	fi
	if [[ $mode == --rebuild || ! -f $keydir/.complete ]]; then
		rm -rf "$DKCACHE"/.tmp.*
		if [[ -e $keydir ]]; then
			mv "$keydir" "$DKCACHE/.tmp.old-${keydir##*/}"
			rm -rf "$DKCACHE/.tmp.old-${keydir##*/}"
		fi
		build "$keydir"
	fi
	exec 8>&-
	link "$keydir"
}

main "$@"
