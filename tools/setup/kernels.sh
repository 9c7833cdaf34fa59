#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh - name the cached test kernels.
#
# Usage: tools/setup/kernels.sh [PREFIX ...]
#
# Prints, one per line and in argument order, the kernel release (KREL) of
# the complete cached kernel under .cache/kernels/ that matches each PREFIX
# (default: "6.1 6.12 debug").  A prefix matches on whole version components:
# "6.1" matches 6.1.0-56-amd64 but not 6.12.117+deb12-amd64.  When several
# complete kernels match, the newest (sort -V) wins.  A kernel is complete
# once tools/setup/deps.sh has written its .complete stamp.
#
# The debug kernel that tools/setup/debug-kernel.sh builds (its release ends
# in -gpufe-debug, e.g. 6.12.118-gpufe-debug) is named "debug" and only
# "debug": no version prefix ever matches it, so "6.12" is always Debian's
# stock 6.12.
#
# "iommu", the name of make check's IOMMU lane (tools/vmtest/check.sh boots
# it with QEMU's Intel IOMMU), names what "6.12" names: that lane runs on
# Debian's stock 6.12, whose Intel IOMMU driver is built in (the debug
# kernel has none).
#
# Exits 1, with a message on stderr, if any prefix matches no kernel.  Works
# offline: it only looks at the cache.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KCACHE=$ROOT/.cache/kernels
DEBUG_NAME=debug
DEBUG_SUFFIX=-gpufe-debug
IOMMU_NAME=iommu
IOMMU_KERNEL=6.12

# krel_matches PREFIX KREL - true if PREFIX is "debug" and KREL is a debug
# kernel, or KREL is a stock kernel that starts with PREFIX and the prefix
# ends on a version component boundary (end, or a non-digit follows).
krel_matches() {
	local prefix=$1 krel=$2 next

	if [[ $prefix == "$DEBUG_NAME" || $krel == *"$DEBUG_SUFFIX" ]]; then
		[[ $prefix == "$DEBUG_NAME" && $krel == *"$DEBUG_SUFFIX" ]]
		return
	fi
	[[ $krel == "$prefix"* ]] || return 1
	next=${krel:${#prefix}:1}
	[[ -z $next || $next != [0-9] ]]
}

# complete_krels - every KREL in the cache with a .complete stamp.
complete_krels() {
	local stamp

	for stamp in "$KCACHE"/*/.complete; do
		[[ -e $stamp ]] || continue
		basename "$(dirname "$stamp")"
	done
}

main() {
	local prefixes=("$@") prefix want krel best all rc=0

	((${#prefixes[@]})) || prefixes=(6.1 6.12 "$DEBUG_NAME")
	all=$(complete_krels)

	for prefix in "${prefixes[@]}"; do
		want=$prefix
		[[ $prefix != "$IOMMU_NAME" ]] || want=$IOMMU_KERNEL
		best=$(while read -r krel; do
			if [[ -n $krel ]] && krel_matches "$want" "$krel"; then
				printf '%s\n' "$krel"
			fi
		done <<<"$all" | sort -V | tail -n 1)
		if [[ -z $best ]]; then
			echo "kernels.sh: no complete cached kernel matches '$prefix'" \
				"in $KCACHE (run tools/setup/deps.sh)" >&2
			rc=1
			continue
		fi
		printf '%s\n' "$best"
	done
	return "$rc"
}

main "$@"
