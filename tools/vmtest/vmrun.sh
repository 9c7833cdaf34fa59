#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmrun.sh - run a script inside a throwaway QEMU VM on a cached kernel.
#
# Usage:
#   tools/vmtest/vmrun.sh --kernel KREL --modules DIR --payload DIR \
#       --script FILE --log CONSOLE_LOG --out RESULTS_FILE \
#       [--timeout SEC] [--stock-mods "vgem ..."] [--mem 1G] [--smp 2] \
#       [--iommu none|intel]
#
# The VM boots .cache/kernels/KREL/boot/vmlinuz-KREL (see tools/setup/deps.sh;
# Debian's stock kernels, and the debug kernel of tools/setup/debug-kernel.sh)
# with an initramfs holding:
#   /bin/busybox              busybox-static, applets linked at boot
#   /lib/modules/KREL/extra/  every *.ko under --modules DIR
#   /lib/modules/KREL/kernel/ the --stock-mods modules, the stock modules the
#                             extra modules depend on, and all their
#                             dependencies, decompressed; depmod'ed
#   /opt/gpufe/               the --payload DIR, plus the --script as run.sh;
#                             shared libraries (and the dynamic loader) its
#                             ELF files need are copied in at their host paths
# /init mounts proc, sysfs, devtmpfs, debugfs and /tmp, then runs
# "sh /opt/gpufe/run.sh" in /opt/gpufe with PATH=/opt/gpufe/bin:/bin:/sbin
# and LD_LIBRARY_PATH=/opt/gpufe/lib, and powers off (or, on a kernel
# without ACPI, reboots: QEMU runs with -no-reboot).  It loads no module:
# the script does.  Nothing else does either: no udev or mdev runs, and
# none of the kernels has a uevent helper (CONFIG_UEVENT_HELPER is off), so
# no module is ever loaded by its modalias, gpufe_edu's included.
#
# The VM (q35) has two of QEMU's educational PCI devices, "edu" (1234:11e8),
# the devices gpufe_edu drives.  Their DMA mask defaults to 28 bits, and
# QEMU clamps a DMA address to it; the VM's memory is below 4 GiB and it has
# no bounce buffers, so with --iommu none (the default) they are
#   -device edu,dma_mask=0xffffffff (twice)
# and the kernel gets "gpufe_edu.dma_bits=32" (a 32-bit mask; without it
# gpufe_edu refuses such devices).
# With --iommu intel, QEMU's emulated Intel IOMMU translates their DMA:
#   -device intel-iommu -device edu -device edu (gpufe_edu's default 28-bit
#   mask, IOVAs below it)
# (the IOMMU first: it translates only the devices after it), and the kernel
# gets "intel_iommu=on iommu.strict=1": DMA domains in strict mode, so an
# address unmapped is invalidated at once and a DMA to it faults.  A kernel
# without the Intel IOMMU driver (the debug kernel) boots without one.
#
# Two serial ports keep the two streams apart:
#   ttyS0 -> CONSOLE_LOG   the kernel console, i.e. the whole kernel log
#   ttyS1 -> RESULTS_FILE  "@@VMRUN-START", the script's stdout and stderr,
#                          then "@@VMRUN-END rc=<script exit status>"
# Both files have their CRs removed afterwards.
#
# Exit status:
#   0  the script ran to its end and the kernel log is clean, whatever the
#      script's own exit status (the caller parses RESULTS_FILE); the
#      @@VMRUN-END line is printed on stdout
#   1  usage or setup error (bad argument, missing kernel, QEMU won't start)
#   2  timeout (QEMU killed after --timeout seconds, default 600)
#   3  the kernel log shows a problem (WARNING, BUG, Oops, lockdep, hung
#      task, ...); up to 20 matching lines go to stderr
#   4  the VM ended without the end marker (panic, crash, triple fault)
#
# Environment:
#   VMRUN_NO_KVM=1   use TCG even if /dev/kvm is usable
#   VMRUN_KVM_BOOT_TIMEOUT=30
#                    seconds KVM gets to reach /init before vmrun.sh decides
#                    this host's KVM cannot run the stock kernels, notes that
#                    in build/vm/kvm-broken (per host kernel) and uses TCG
#   VMRUN_KEEP=1     keep the work directory (initramfs tree) under build/vm/
#   VMRUN_VERBOSE=1  print the QEMU command line and timings on stderr

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUSYBOX=/bin/busybox
KVM_BROKEN_STAMP=$ROOT/build/vm/kvm-broken
KVM_BOOT_TIMEOUT=${VMRUN_KVM_BOOT_TIMEOUT:-30}

# Kernel log lines that mean the kernel is unhappy.  A clean boot of both
# stock kernels (Debian 6.1 and 6.12) and of the debug kernel under this
# QEMU setup with TCG, including out-of-tree module loads ("loading
# out-of-tree module taints kernel", "module verification failed: signature
# and/or required key missing"), matches none of them, so nothing is
# filtered out.  kmemleak and the DMA-API debugging are matched on their
# reports only, since the debug kernel prints "kmemleak: Kernel memory leak
# detector initialized", "DMA-API: preallocated 65536 debug entries" and
# "DMA-API: debugging enabled by kernel config" on every boot (a DMA-API
# report names the driver and the device: "DMA-API: swgpu swgpu.0: device
# driver ..."); user space crashes ("segfault at") are the tests' business,
# not the kernel's.
PROBLEM_RE='WARNING:|BUG:|Oops|general protection fault|Kernel panic'
PROBLEM_RE+='|kernel BUG at|Call Trace:|INFO: task .* blocked for more than'
PROBLEM_RE+='|soft lockup|hard LOCKUP|possible circular locking'
PROBLEM_RE+='|possible recursive locking|inconsistent lock state'
PROBLEM_RE+='|suspicious RCU usage|UBSAN:|KASAN:|KFENCE:|KCSAN:|refcount_t:'
PROBLEM_RE+='|list_add corruption|list_del corruption'
PROBLEM_RE+='|kmemleak: .*suspected memory leak|unreferenced object 0x'
PROBLEM_RE+='|kmemleak: .*(leak detector disabled|Memory pool empty|Cannot'
PROBLEM_RE+='|unknown object|Unknown object|Found object by alias)'
PROBLEM_RE+='|rcu: INFO: .* detected stalls|self-detected stall|DEBUG_LOCKS_WARN_ON'
PROBLEM_RE+='|unable to handle (kernel|page fault)|invalid opcode:'
PROBLEM_RE+='|ODEBUG:|DMA-API: ([^ ]+ [^ ]+: |.*(out of memory|ENOMEM|only [0-9]+ allocated))'
PROBLEM_RE+='|trying to register non-static key|BUG [^ ]+ \((Not t|T)ainted'
PROBLEM_RE+='|irq [0-9]+: nobody cared'
# An IOMMU fault (vmrun.sh --iommu intel): a device's DMA, or interrupt, to
# what its driver did not map: "DMAR: [DMA Read NO_PASID] Request device
# [00:01.0] fault addr 0x... [fault reason 0x06] PTE Read access is not set"
# after "DMAR: DRHD: handling fault status reg 2".
PROBLEM_RE+='|DMAR: DRHD: handling fault|DMAR: \[.*\] Request device .* fault'

KREL='' MODULES='' PAYLOAD='' SCRIPT='' CONSOLE='' RESULTS=''
TIMEOUT=600 STOCK_MODS='' MEM=1G SMP=2 IOMMU=none
WORK=

usage() {
	sed -n '4,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

die() {
	echo "vmrun.sh: error: $*" >&2
	exit 1
}

verbose() {
	[[ ${VMRUN_VERBOSE:-0} == 1 ]] || return 0
	echo "vmrun.sh: $*" >&2
}

cleanup() {
	[[ -n $WORK && ${VMRUN_KEEP:-0} != 1 ]] && rm -rf "$WORK"
	return 0
}
trap cleanup EXIT

parse_args() {
	while (($#)); do
		(($# >= 2)) || usage
		case $1 in
		--kernel) KREL=$2 ;;
		--modules) MODULES=$2 ;;
		--payload) PAYLOAD=$2 ;;
		--script) SCRIPT=$2 ;;
		--log) CONSOLE=$2 ;;
		--out) RESULTS=$2 ;;
		--timeout) TIMEOUT=$2 ;;
		--stock-mods) STOCK_MODS=$2 ;;
		--mem) MEM=$2 ;;
		--smp) SMP=$2 ;;
		--iommu) IOMMU=$2 ;;
		*) usage ;;
		esac
		shift 2
	done
	[[ -n $KREL && -n $MODULES && -n $PAYLOAD && -n $SCRIPT &&
		-n $CONSOLE && -n $RESULTS ]] || usage
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants seconds, got '$TIMEOUT'"
	[[ $IOMMU == none || $IOMMU == intel ]] ||
		die "--iommu wants none or intel, got '$IOMMU'"
	[[ -d $MODULES ]] || die "--modules $MODULES is not a directory"
	[[ -d $PAYLOAD ]] || die "--payload $PAYLOAD is not a directory"
	[[ -f $SCRIPT ]] || die "--script $SCRIPT is not a file"
	[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (tools/setup/deps.sh)"

	KTREE=$ROOT/.cache/kernels/$KREL
	KMODDIR=$KTREE/lib/modules/$KREL
	VMLINUZ=$KTREE/boot/vmlinuz-$KREL
	[[ -f $KTREE/.complete && -f $VMLINUZ ]] ||
		die "kernel $KREL is not in .cache/kernels (tools/setup/deps.sh)"
}

# ---------------------------------------------------------------------------
# The initramfs

# copy_decompressed SRC DST - copy a kernel module, decompressing it if the
# distribution compressed it (Debian's 6.12 modules are .ko.xz).
copy_decompressed() {
	local src=$1 dst=$2

	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "unknown module file type: $src" ;;
	esac
}

# add_modules - extra modules, then the stock ones with their dependencies.
add_modules() {
	local rootmods=$RFS/lib/modules/$KREL ko name dep line path rel f
	local -a extras wanted
	local -A have

	mkdir -p "$rootmods/extra"
	mapfile -d '' extras < <(find "$MODULES" -name '*.ko' -print0 | sort -z)
	for ko in "${extras[@]}"; do
		name=$(basename "$ko" .ko)
		name=${name//-/_}
		[[ -z ${have[$name]:-} ]] || die "two modules named $name in $MODULES"
		have[$name]=1
		cp "$ko" "$rootmods/extra/"
	done

	# Stock modules: those asked for, and those the extra modules need
	# (their modinfo "depends") that the extra modules do not provide.
	read -ra wanted <<<"$STOCK_MODS"
	for ko in "${extras[@]}"; do
		for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
			[[ -n ${have[${dep//-/_}]:-} ]] || wanted+=("$dep")
		done
	done

	# modprobe --show-depends reads the stock tree's modules.dep(.bin)
	# and prints the whole dependency chain in load order, "insmod PATH"
	# per module and "builtin NAME" for built-in ones.
	for name in "${wanted[@]}"; do
		line=$(modprobe -d "$KTREE" -S "$KREL" --show-depends "$name" 2>&1) ||
			die "stock module $name: $line"
		while read -r dep path _; do
			[[ $dep == insmod ]] || continue
			rel=${path#"$KMODDIR"/}
			f=$rootmods/${rel%.*}
			[[ $rel == *.ko ]] && f=$rootmods/$rel
			[[ -e $f ]] || copy_decompressed "$path" "$f"
		done <<<"$line"
	done

	# Builtins first, so that depmod and modprobe know what needs no file.
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ ! -e $KMODDIR/$f ]] || cp "$KMODDIR/$f" "$rootmods/"
	done
	depmod -b "$RFS" "$KREL"
}

# is_elf FILE - true if FILE starts with the ELF magic.
is_elf() {
	local magic=

	LC_ALL=C IFS= read -r -d '' -N 4 magic <"$1" 2>/dev/null || true
	[[ $magic == $'\x7fELF' ]]
}

# add_libraries - for every dynamic ELF file in the payload, copy the shared
# libraries it needs (unless the payload's lib/ has them) and the dynamic
# loader, to the same absolute paths as on the host.
add_libraries() {
	local opt=$RFS/opt/gpufe f out path
	local -A done_libs

	while IFS= read -r -d '' f; do
		is_elf "$f" || continue
		# ldd fails on static executables and on objects it cannot
		# load; both need nothing from us.
		out=$(LD_LIBRARY_PATH=$opt/lib ldd "$f" 2>/dev/null) || continue
		if grep -q 'not found' <<<"$out"; then
			die "${f#"$opt"/}: missing libraries:" \
				"$(grep 'not found' <<<"$out" | tr -s '\t\n' '  ')"
		fi
		while read -r path; do
			[[ -n $path && -z ${done_libs[$path]:-} ]] || continue
			done_libs[$path]=1
			[[ $path == "$opt"/* ]] && continue # the payload's own
			mkdir -p "$RFS$(dirname "$path")"
			cp -L "$path" "$RFS$path"
		done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }
			$1 ~ /^\// { print $1 }' <<<"$out")
	done < <(find "$opt" -type f -print0)
}

# write_init - the VM's /init (busybox sh).
write_init() {
	cat >"$RFS/init" <<-'EOF'
		#!/bin/busybox sh
		# /init of a gpufe test VM, written by tools/vmtest/vmrun.sh.
		/bin/busybox mount -t proc proc /proc
		/bin/busybox --install -s
		mount -t sysfs sysfs /sys
		mount -t devtmpfs devtmpfs /dev
		mount -t debugfs debugfs /sys/kernel/debug
		mount -t tmpfs tmpfs /tmp
		if [ -e /proc/sys/kernel/hung_task_timeout_secs ]; then
			echo 30 >/proc/sys/kernel/hung_task_timeout_secs
		fi
		export PATH=/opt/gpufe/bin:/bin:/sbin
		export LD_LIBRARY_PATH=/opt/gpufe/lib HOME=/tmp
		cd /opt/gpufe

		# ttyS1 carries only the script's output: no echo, no \n -> \r\n.
		stty -F /dev/ttyS1 raw -echo 2>/dev/null
		exec 3>/dev/ttyS1
		echo @@VMRUN-START >&3
		sh /opt/gpufe/run.sh </dev/null >&3 2>&3
		echo "@@VMRUN-END rc=$?" >&3
		# The last close of the tty waits until its output has drained.
		exec 3>&-
		sync
		# A kernel without ACPI cannot power off; QEMU runs with
		# -no-reboot, so a reboot ends the VM as well.
		[ -d /sys/firmware/acpi ] || reboot -f
		poweroff -f
	EOF
	chmod 755 "$RFS/init"
}

build_initramfs() {
	mkdir -p "$ROOT/build/vm"
	WORK=$(mktemp -d "$ROOT/build/vm/run.XXXXXX")
	RFS=$WORK/root
	INITRD=$WORK/initrd.gz

	mkdir -p "$RFS"/{bin,sbin,dev,proc,sys,tmp,etc,root,lib,usr/lib,opt/gpufe}
	# Merged /usr for applets: busybox --install puts them in /usr/bin
	# too, and PATH has only /bin and /sbin.
	ln -s ../bin "$RFS/usr/bin"
	ln -s ../sbin "$RFS/usr/sbin"
	cp "$BUSYBOX" "$RFS/bin/busybox"
	# The kernel opens /dev/console for init before devtmpfs is mounted.
	mknod -m 600 "$RFS/dev/console" c 5 1 2>/dev/null || true

	add_modules
	cp -a "$PAYLOAD/." "$RFS/opt/gpufe/"
	cp "$SCRIPT" "$RFS/opt/gpufe/run.sh"
	add_libraries
	write_init

	(cd "$RFS" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$INITRD"
}

# ---------------------------------------------------------------------------
# The VM

# kvm_usable - true if KVM is worth trying: not disabled by VMRUN_NO_KVM,
# /dev/kvm opens read-write, and KVM has not already failed to boot a stock
# kernel under this host kernel.  (Some hosts' /dev/kvm opens fine but cannot
# run an unmodified guest: a PVM host, for one, fails in the guest's kernel
# decompressor with "KVM internal error" or hangs without a word.)
kvm_usable() {
	[[ ${VMRUN_NO_KVM:-0} != 1 ]] || return 1
	[[ -c /dev/kvm ]] || return 1
	{ : <>/dev/kvm; } 2>/dev/null || return 1
	# PVM (kvm_pvm without kvm_intel/kvm_amd) runs only PVM-enabled
	# guest kernels, which Debian's are not.
	if [[ -d /sys/module/kvm_pvm && ! -d /sys/module/kvm_intel &&
		! -d /sys/module/kvm_amd ]]; then
		return 1
	fi
	[[ ! -f $KVM_BROKEN_STAMP || $(<"$KVM_BROKEN_STAMP") != "$(uname -srv)" ]]
}

# chardev_path PATH - PATH with commas doubled, as QEMU options want.
chardev_path() {
	printf '%s' "${1//,/,,}"
}

# qemu_start kvm|tcg - start the VM in the background under timeout; sets
# QEMU_PID.  The logs are truncated first.
qemu_start() {
	local -a accel qemu devices
	local append="console=ttyS0 loglevel=7 panic=-1 rdinit=/init"

	case $1 in
	kvm) accel=(-accel kvm -cpu host) ;;
	tcg) accel=(-accel tcg -cpu max) ;;
	esac
	# The edu devices (see the top of this file).
	case $IOMMU in
	none)
		devices=(-device 'edu,dma_mask=0xffffffff'
			-device 'edu,dma_mask=0xffffffff')
		append+=" gpufe_edu.dma_bits=32"
		;;
	intel)
		devices=(-device intel-iommu -device edu -device edu)
		append+=" intel_iommu=on iommu.strict=1"
		;;
	esac
	: >"$CONSOLE"
	: >"$RESULTS"
	qemu=(qemu-system-x86_64 -machine q35 "${accel[@]}"
		-m "$MEM" -smp "$SMP"
		-nodefaults -no-user-config -display none -no-reboot
		"${devices[@]}"
		-kernel "$VMLINUZ" -initrd "$INITRD" -append "$append"
		-chardev "file,id=console,path=$(chardev_path "$CONSOLE")"
		-chardev "file,id=results,path=$(chardev_path "$RESULTS")"
		-serial chardev:console -serial chardev:results)
	verbose "${qemu[*]}"
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>"$WORK/qemu.err" &
	QEMU_PID=$!
}

# kvm_boots - wait until the guest under KVM reaches /init's start marker.
# False, with QEMU stopped, if it does not within KVM_BOOT_TIMEOUT seconds
# or KVM reports an internal error (after which QEMU would sit paused until
# the timeout).  A normal KVM boot takes a few seconds.
kvm_boots() {
	local deadline=$((SECONDS + KVM_BOOT_TIMEOUT))

	while kill -0 "$QEMU_PID" 2>/dev/null; do
		[[ -s $RESULTS ]] && return 0
		if grep -q 'KVM internal error' "$WORK/qemu.err" ||
			((SECONDS >= deadline)); then
			kill "$QEMU_PID" 2>/dev/null || true
			wait "$QEMU_PID" 2>/dev/null || true
			return 1
		fi
		sleep 0.2
	done
	return 0 # QEMU ended by itself: let the caller judge how
}

# run_qemu - boot the VM, under KVM if it works here, else under TCG; sets
# QEMU_RC (124 or 137 on timeout).
run_qemu() {
	local start=$SECONDS rc=0 why

	mkdir -p "$(dirname "$CONSOLE")" "$(dirname "$RESULTS")"
	if kvm_usable; then
		qemu_start kvm
		if ! kvm_boots; then
			why="no sign of /init after $KVM_BOOT_TIMEOUT s"
			grep -q 'KVM internal error' "$WORK/qemu.err" &&
				why=$(grep -m 1 'KVM internal error' "$WORK/qemu.err")
			echo "vmrun.sh: KVM cannot boot $KREL on this host ($why);" \
				"using TCG from now on" >&2
			uname -srv >"$KVM_BROKEN_STAMP"
			start=$SECONDS
			qemu_start tcg
		fi
	else
		qemu_start tcg
	fi
	wait "$QEMU_PID" || rc=$?
	verbose "QEMU ran $((SECONDS - start)) s, exit status $rc"
	sed -i 's/\r//g' "$CONSOLE" "$RESULTS"
	QEMU_RC=$rc
}

# report_problems - print up to 20 problem lines of the kernel log on stderr;
# true if there were any.
report_problems() {
	local lines line

	# Not "grep | head": under pipefail, grep killed by SIGPIPE when head
	# has its 20 lines would make a log full of problems look clean.
	lines=$(grep -E -n -e "$PROBLEM_RE" "$CONSOLE") || return 1
	lines=$(head -n 20 <<<"$lines")
	while IFS= read -r line; do
		printf '%s:%s\n' "$CONSOLE" "$line" >&2
	done <<<"$lines"
}

main() {
	local start=$SECONDS end

	parse_args "$@"
	build_initramfs
	verbose "initramfs $(du -k "$INITRD" | cut -f1) KiB," \
		"built in $((SECONDS - start)) s"
	run_qemu
	# The stock kernel can die while booting under TCG (seen once: an int3
	# Oops in early text patching), before /init starts and so before any
	# gpufe code is loaded. Such a boot says nothing about gpufe: keep its
	# log and boot again, at most twice.
	local attempt
	for attempt in 1 2; do
		grep -q '^@@VMRUN-START' "$RESULTS" && break
		((QEMU_RC == 124 || QEMU_RC == 137)) && break
		cp "$CONSOLE" "$CONSOLE.boot-failed-$attempt"
		echo "vmrun.sh: $KREL: the kernel died before /init started" \
			"(log kept as $CONSOLE.boot-failed-$attempt); booting again" >&2
		run_qemu
	done

	if ((QEMU_RC == 124 || QEMU_RC == 137)); then
		echo "vmrun.sh: $KREL: timed out after $TIMEOUT s" >&2
		report_problems || true
		return 2
	fi
	if ! grep -q '^@@VMRUN-START' "$RESULTS" && ((QEMU_RC != 0)); then
		cat "$WORK/qemu.err" >&2
		die "QEMU failed (exit status $QEMU_RC)"
	fi
	end=$(grep -m 1 '^@@VMRUN-END rc=' "$RESULTS" || true)
	if [[ -z $end ]]; then
		echo "vmrun.sh: $KREL: the VM ended without @@VMRUN-END" \
			"(crash or panic); see $CONSOLE" >&2
		report_problems || true
		return 4
	fi
	if report_problems; then
		echo "vmrun.sh: $KREL: kernel log has problems; see $CONSOLE" >&2
		return 3
	fi
	printf '%s\n' "$end"
}

main "$@"
