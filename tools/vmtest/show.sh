#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# show.sh - boot a VM with gpufe and two swgpu GPUs, run a script, show
# what it prints. make demo and make bench use it.
#
# Usage:
#   tools/vmtest/show.sh --name NAME --run FILE --kernel PREFIX \
#       --modules-root build/modules --payload build/payload --logdir build/logs
#
# FILE is a busybox sh script run in /opt/gpufe with the payload's bin/ on
# PATH, after gpufe and gpufe_swgpu (num_gpus=2) are loaded. The VM also
# has vmrun.sh's two edu devices, which no module claims unless FILE loads
# gpufe_edu; PREFIX "iommu" boots the stock 6.12 with them behind QEMU's
# Intel IOMMU, as make check's iommu lane does (vmrun.sh --iommu intel).
# Exits non-zero if the script failed or the kernel log shows a problem.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NAME='' RUN='' KPREFIX='' MODROOT='' PAYLOAD='' LOGDIR=''

usage() {
	sed -n '7,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

while (($#)); do
	(($# >= 2)) || usage
	case $1 in
	--name) NAME=$2 ;;
	--run) RUN=$2 ;;
	--kernel) KPREFIX=$2 ;;
	--modules-root) MODROOT=$2 ;;
	--payload) PAYLOAD=$2 ;;
	--logdir) LOGDIR=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ -n $NAME && -f $RUN && -n $KPREFIX && -n $MODROOT && -n $PAYLOAD &&
	-n $LOGDIR ]] || usage

KREL=$("$ROOT/tools/setup/kernels.sh" "$KPREFIX")
IOMMU=none LABEL=$KREL
if [[ $KPREFIX == iommu ]]; then
	IOMMU=intel LABEL=$KREL-iommu
fi
mkdir -p "$LOGDIR"
SCRIPT=$LOGDIR/$NAME-run.sh
RESULTS=$LOGDIR/$LABEL.$NAME.log
CONSOLE=$LOGDIR/$LABEL.$NAME-console.log

{
	echo 'modprobe gpufe && modprobe gpufe_swgpu num_gpus=2 || exit 1'
	echo 'echo "@@SHOW-BEGIN"'
	echo '( set -e'
	cat "$RUN"
	echo ') || { echo "@@SHOW-FAILED rc=$?"; exit 1; }'
	echo 'echo "@@SHOW-END"'
} >"$SCRIPT"

echo "$NAME: booting $LABEL (console log: $CONSOLE)"
rc=0
"$ROOT/tools/vmtest/vmrun.sh" --kernel "$KREL" --modules "$MODROOT/$KREL" \
	--payload "$PAYLOAD" --script "$SCRIPT" --log "$CONSOLE" \
	--out "$RESULTS" --timeout 900 --stock-mods vgem --iommu "$IOMMU" \
	>/dev/null || rc=$?

sed -n '/^@@SHOW-BEGIN$/,/^@@SHOW-\(END\|FAILED.*\)$/{/^@@SHOW-/d;p}' "$RESULTS"
if ((rc)) || ! grep -q '^@@SHOW-END$' "$RESULTS"; then
	echo "$NAME: FAILED (vmrun exit $rc); see $RESULTS and $CONSOLE" >&2
	exit 1
fi
