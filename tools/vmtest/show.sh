#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - boot a VM, load gpufe with two swgpu GPUs, and show them.
#
# Usage:
#   tools/vmtest/demo.sh --kernel PREFIX --modules-root build/modules \
#       --payload build/payload --logdir build/logs
#
# Prints what the VM's programs print; exits non-zero if the demo failed or
# the kernel log shows a problem.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KPREFIX='' MODROOT='' PAYLOAD='' LOGDIR=''

usage() {
	sed -n '6,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 1
}

while (($#)); do
	(($# >= 2)) || usage
	case $1 in
	--kernel) KPREFIX=$2 ;;
	--modules-root) MODROOT=$2 ;;
	--payload) PAYLOAD=$2 ;;
	--logdir) LOGDIR=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ -n $KPREFIX && -n $MODROOT && -n $PAYLOAD && -n $LOGDIR ]] || usage

KREL=$("$ROOT/tools/setup/kernels.sh" "$KPREFIX")
mkdir -p "$LOGDIR"
SCRIPT=$LOGDIR/demo-run.sh
RESULTS=$LOGDIR/$KREL.demo.log
CONSOLE=$LOGDIR/$KREL.demo-console.log

cat >"$SCRIPT" <<'EOS'
set -e
modprobe gpufe
modprobe gpufe_swgpu num_gpus=2
echo "@@DEMO-BEGIN"
gpufe-smi
echo "@@DEMO-END"
EOS

echo "demo: booting $KREL (console log: $CONSOLE)"
rc=0
"$ROOT/tools/vmtest/vmrun.sh" --kernel "$KREL" --modules "$MODROOT/$KREL" \
	--payload "$PAYLOAD" --script "$SCRIPT" --log "$CONSOLE" \
	--out "$RESULTS" --timeout 300 >/dev/null || rc=$?

sed -n '/^@@DEMO-BEGIN$/,/^@@DEMO-END$/{/^@@DEMO-/d;p}' "$RESULTS"
if ((rc)) || ! grep -q '^@@DEMO-END$' "$RESULTS"; then
	echo "demo: FAILED (vmrun exit $rc); see $RESULTS and $CONSOLE" >&2
	exit 1
fi
