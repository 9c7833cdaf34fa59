#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh GPUFE-SMI FAKE-GPUFE.so
#
# Host smoke test: runs gpufe-smi against the LD_PRELOAD fake of
# /dev/gpufe and compares its stdout and exit status with what is expected.
# Prints "gpufe-smi: N passed, N failed" and fails if any case failed.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 GPUFE-SMI FAKE-GPUFE.so" >&2
	exit 2
fi
smi=$1
fake=$2
dev=/nonexistent/fake-gpufe
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# expect NAME STATUS STDERR-PATTERN COMMAND... <expected-stdout
# An empty STDERR-PATTERN means stderr must stay empty.
expect() {
	name=$1 want_rc=$2 errpat=$3
	shift 3
	cat >"$tmp/want"
	LD_PRELOAD=$fake "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want_rc" ]; then
		echo "not ok - $name: exit status $rc, want $want_rc"
		sed 's/^/#   /' "$tmp/err"
		fail=$((fail + 1))
	elif ! diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"; then
		echo "not ok - $name: stdout differs"
		sed 's/^/#   /' "$tmp/diff"
		fail=$((fail + 1))
	elif [ -z "$errpat" ] && [ -s "$tmp/err" ]; then
		echo "not ok - $name: unexpected stderr"
		sed 's/^/#   /' "$tmp/err"
		fail=$((fail + 1))
	elif [ -n "$errpat" ] && ! grep -q -- "$errpat" "$tmp/err"; then
		echo "not ok - $name: stderr lacks '$errpat'"
		sed 's/^/#   /' "$tmp/err"
		fail=$((fail + 1))
	else
		echo "ok - $name"
		pass=$((pass + 1))
	fi
}

expect list-table 0 '' "$smi" -d "$dev" <<'OUT'
gpufe 1.0.0 (features 0x1)
DEV  NAME     BACKEND  MEMORY   ENGINES
1    swgpu0   swgpu    256 MiB  compute0 compute1 copy0 video0
2    swgpu1   swgpu    256 MiB  compute0 compute1 copy0 video0
12   edu0     edu      1.5 GiB  compute0
13   vgpu"0?  vgpu     -        -
OUT

expect list-command-env 0 '' env GPUFE_DEVICE="$dev" FAKE_GPUFE_DEVICES=1 \
	"$smi" list <<'OUT'
gpufe 1.0.0 (features 0x1)
DEV  NAME    BACKEND  MEMORY   ENGINES
1    swgpu0  swgpu    256 MiB  compute0 compute1 copy0 video0
OUT

expect list-none 0 '' env FAKE_GPUFE_DEVICES=0 "$smi" --device="$dev" <<'OUT'
gpufe 1.0.0 (features 0x1)
No devices.
OUT

expect list-unplugged 0 '' env FAKE_GPUFE_DEVICES=2 FAKE_GPUFE_UNPLUG=2 \
	"$smi" -d "$dev" <<'OUT'
gpufe 1.0.0 (features 0x1)
DEV  NAME    BACKEND  MEMORY   ENGINES
1    swgpu0  swgpu    256 MiB  compute0 compute1 copy0 video0
2    swgpu1  swgpu    256 MiB  (unplugged)
OUT

expect list-json 0 '' env FAKE_GPUFE_DEVICES=2 FAKE_GPUFE_UNPLUG=2 \
	"$smi" -j -d "$dev" <<'OUT'
{
  "version": {"major": 1, "minor": 0, "patch": 0, "features": 1},
  "devices": [
    {"id": 1, "name": "swgpu0", "backend": "swgpu", "memory": 268435456, "engines": [
      {"name": "compute0", "class": "compute", "instance": 0},
      {"name": "compute1", "class": "compute", "instance": 1},
      {"name": "copy0", "class": "copy", "instance": 0},
      {"name": "video0", "class": "video", "instance": 0}
    ]},
    {"id": 2, "name": "swgpu1", "backend": "swgpu", "memory": 268435456, "engines": null}
  ]
}
OUT

expect list-json-escapes 0 '' "$smi" --json -d "$dev" <<'OUT'
{
  "version": {"major": 1, "minor": 0, "patch": 0, "features": 1},
  "devices": [
    {"id": 1, "name": "swgpu0", "backend": "swgpu", "memory": 268435456, "engines": [
      {"name": "compute0", "class": "compute", "instance": 0},
      {"name": "compute1", "class": "compute", "instance": 1},
      {"name": "copy0", "class": "copy", "instance": 0},
      {"name": "video0", "class": "video", "instance": 0}
    ]},
    {"id": 2, "name": "swgpu1", "backend": "swgpu", "memory": 268435456, "engines": [
      {"name": "compute0", "class": "compute", "instance": 0},
      {"name": "compute1", "class": "compute", "instance": 1},
      {"name": "copy0", "class": "copy", "instance": 0},
      {"name": "video0", "class": "video", "instance": 0}
    ]},
    {"id": 12, "name": "edu0", "backend": "edu", "memory": 1610612736, "engines": [
      {"name": "compute0", "class": "compute", "instance": 0}
    ]},
    {"id": 13, "name": "vgpu\"0\u001b", "backend": "vgpu", "memory": 0, "engines": []}
  ]
}
OUT

expect json-empty 0 '' env FAKE_GPUFE_DEVICES=0 "$smi" -j -d "$dev" <<'OUT'
{
  "version": {"major": 1, "minor": 0, "patch": 0, "features": 1},
  "devices": []
}
OUT

expect missing-node 1 '^gpufe-smi: /nonexistent/none: No such file or directory$' \
	"$smi" -d /nonexistent/none </dev/null
expect not-gpufe 1 '^gpufe-smi: /dev/null: Inappropriate ioctl for device$' \
	"$smi" -d /dev/null </dev/null
expect major-mismatch 1 'Protocol not supported (incompatible gpufe interface version)$' \
	env FAKE_GPUFE_MAJOR=2 "$smi" -d "$dev" </dev/null
expect unknown-command 1 "unknown command 'frobnicate'" \
	"$smi" -d "$dev" frobnicate </dev/null
expect extra-argument 1 "unexpected argument 'more'" \
	"$smi" -d "$dev" list more </dev/null
expect bad-option 1 'gpufe-smi --help' "$smi" --bogus </dev/null
expect help 0 '' sh -c "\"\$1\" --help | head -n 1" sh "$smi" <<'OUT'
Usage: gpufe-smi [OPTION]... [COMMAND]
OUT
if [ -w /dev/full ]; then
	expect write-error 1 '^gpufe-smi: write error' \
		sh -c "\"\$1\" -d \"\$2\" >/dev/full" sh "$smi" "$dev" </dev/null
fi

echo "gpufe-smi: $pass passed, $fail failed"
[ $fail -eq 0 ]
