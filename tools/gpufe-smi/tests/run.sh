#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh GPUFE-SMI FAKE-GPUFE.so
#
# Host smoke test: runs gpufe-smi against the LD_PRELOAD fake of
# /dev/gpufe and compares its stdout and exit status with what is expected.
# Prints "gpufe-smi: N passed, N failed" and fails if any case failed.
#
# The partition cases run the fake as a 1.3 kernel whose persistent
# partitions live in a state file ($tmp/state), so that they outlive each
# gpufe-smi process, and which logs what each PARTITION_CREATE received
# ($tmp/log); see tests/fake-gpufe.c. The scheduler cases run it as a 1.4
# kernel, with $GPUFE_SYSFS pointing gpufe-smi at a sysfs tree of files
# under $tmp/sys.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 GPUFE-SMI FAKE-GPUFE.so" >&2
	exit 2
fi
smi=$1
fake=$2
# A partition's descriptor would take gpuclient_open(NULL) elsewhere.
unset GPUFE_FD
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
expect unknown-command 2 "unknown command 'frobnicate'" \
	"$smi" -d "$dev" frobnicate </dev/null
expect extra-argument 2 "unexpected argument 'more'" \
	"$smi" -d "$dev" list more </dev/null
expect bad-option 2 'gpufe-smi --help' "$smi" --bogus </dev/null
expect bad-option-message 2 "^gpufe-smi: unknown option '--bogus'$" \
	"$smi" --bogus </dev/null
expect bad-short-option 2 "^gpufe-smi: unknown option '-x'$" \
	"$smi" -jx </dev/null
expect option-no-argument 2 "^gpufe-smi: option '--json' takes no argument$" \
	"$smi" --json=1 </dev/null
expect option-needs-argument 2 "^gpufe-smi: option '-d' needs an argument$" \
	"$smi" -d </dev/null
expect list-options-after 0 '' env FAKE_GPUFE_DEVICES=0 \
	"$smi" list -j -d "$dev" <<'OUT'
{
  "version": {"major": 1, "minor": 0, "patch": 0, "features": 1},
  "devices": []
}
OUT
expect help 0 '' sh -c "\"\$1\" --help | head -n 1" sh "$smi" <<'OUT'
Usage: gpufe-smi [OPTION]... [COMMAND]
OUT
expect help-partition 0 '' \
	sh -c "\"\$1\" partition create --help | head -n 1" sh "$smi" <<'OUT'
Usage: gpufe-smi [OPTION]... [COMMAND]
OUT
expect fd-env-malformed 1 '^gpufe-smi: GPUFE_FD=abc: Invalid argument (not a descriptor number)$' \
	env GPUFE_FD=abc GPUFE_DEVICE="$dev" "$smi" </dev/null
expect fd-env-empty 1 '^gpufe-smi: GPUFE_FD=: Invalid argument' \
	env GPUFE_FD= GPUFE_DEVICE="$dev" "$smi" </dev/null
expect fd-env-closed 1 '^gpufe-smi: GPUFE_FD=77: Bad file descriptor (no such open descriptor)$' \
	env GPUFE_FD=77 GPUFE_DEVICE="$dev" "$smi" </dev/null
if [ -w /dev/full ]; then
	expect write-error 1 '^gpufe-smi: write error' \
		sh -c "\"\$1\" -d \"\$2\" >/dev/full" sh "$smi" "$dev" </dev/null
fi

# --- partitions ------------------------------------------------------------

state=$tmp/state
log=$tmp/log
P="env FAKE_GPUFE_PARTITIONS=1 FAKE_GPUFE_STATE=$state FAKE_GPUFE_LOG=$log"

# An old kernel has none.
for sub in list "revoke 1" \
	   "create --gpu swgpu0 --engines compute0 --persistent" \
	   "run --gpu swgpu0 --engines compute0 -- true"; do
	expect "part-old-kernel-${sub%% *}" 1 \
		'^gpufe-smi: /nonexistent/fake-gpufe: the kernel has no partitions (gpufe 1.0.0, partitions need 1.3)$' \
		"$smi" -d "$dev" partition $sub </dev/null
done

expect part-list-empty 0 '' $P "$smi" -d "$dev" partition list <<'OUT'
No partitions.
OUT
expect part-list-empty-json 0 '' $P "$smi" -d "$dev" -j partition list <<'OUT'
{
  "partitions": []
}
OUT

# create: the id and the node; the GPU by name or id; sizes; defaults.
expect part-create 0 '' $P "$smi" -d "$dev" partition create --gpu swgpu0 \
	--engines compute1,copy0 --persistent --quota 1M --max-clients 4 <<'OUT'
1 /dev/gpufe-part1
OUT
expect part-create-json 0 '' $P "$smi" -d "$dev" partition create -j \
	--gpu 2 --engines video0,compute0 --persistent --weight 1000 \
	--owner 1000 --group 100 --mode 660 --quota 512 <<'OUT'
{"id": 2, "node": "/dev/gpufe-part2"}
OUT
expect part-create-passed 0 '' cat "$log" <<'OUT'
create device=1 flags=1 mask=0x6 quota=1048576 weight=100 max_clients=4 uid=0 gid=0 mode=0600 timeout=0
create device=2 flags=1 mask=0x9 quota=512 weight=1000 max_clients=0 uid=1000 gid=100 mode=0660 timeout=0
OUT
for q in 4K:4096 2m:2097152 3G:3221225472 0:0; do
	: >"$log"
	expect "part-create-quota-${q%%:*}" 0 '' $P "$smi" -d "$dev" \
		partition create --gpu edu0 --engines compute0 --persistent \
		--quota "${q%%:*}" <<'OUT'
3 /dev/gpufe-part3
OUT
	expect "part-create-quota-${q%%:*}-passed" 0 '' cat "$log" <<OUT
create device=12 flags=1 mask=0x1 quota=${q#*:} weight=100 max_clients=0 uid=0 gid=0 mode=0600 timeout=0
OUT
	LD_PRELOAD=$fake $P "$smi" -d "$dev" partition revoke 3 ||
		fail=$((fail + 1))
done

expect part-list 0 '' $P "$smi" -d "$dev" partition list <<'OUT'
ID  DEVICE  ENGINES          WEIGHT  QUOTA  USED  CLIENTS  PERSISTENT
1   swgpu0  compute1,copy0   100     1 MiB  0 B   0/4      yes
2   swgpu1  compute0,video0  1000    512 B  0 B   0/-      yes
OUT

expect part-revoke 0 '' $P "$smi" -d "$dev" partition revoke 1 </dev/null
expect part-revoke-again 1 '^gpufe-smi: partition revoke: no partition 1$' \
	$P "$smi" -d "$dev" partition revoke 1 </dev/null
expect part-list-after-revoke 0 '' $P "$smi" -d "$dev" partition list <<'OUT'
ID  DEVICE  ENGINES          WEIGHT  QUOTA  USED  CLIENTS  PERSISTENT
2   swgpu1  compute0,video0  1000    512 B  0 B   0/-      yes
OUT
expect part-create-reuses-id 0 '' $P "$smi" -d "$dev" partition create \
	--gpu swgpu0 --engines video0 --persistent <<'OUT'
1 /dev/gpufe-part1
OUT

# What the kernel reports, as it reports it: use, clients, a device gone.
printf '%s\n' '1 1 6 1048576 8192 100 1 4 2' \
	'7 2 f 3221225472 1610612736 1 0 0 1' '9 99 5 0 0 500 1 0 0' >"$state"
expect part-list-table 0 '' $P "$smi" -d "$dev" partition list <<'OUT'
ID  DEVICE  ENGINES                         WEIGHT  QUOTA  USED     CLIENTS  PERSISTENT
1   swgpu0  compute1,copy0                  100     1 MiB  8 KiB    2/4      yes
7   swgpu1  compute0,compute1,copy0,video0  1       3 GiB  1.5 GiB  1/-      no
9   ?       bit0,bit2                       500     -      0 B      0/-      yes
OUT
expect part-list-json 0 '' $P "$smi" -d "$dev" partition list --json <<'OUT'
{
  "partitions": [
    {"id": 1, "device_id": 1, "device": "swgpu0", "engines": ["compute1", "copy0"], "engine_mask": 6, "weight": 100, "quota": 1048576, "memory_used": 8192, "clients": 2, "max_clients": 4, "persistent": true},
    {"id": 7, "device_id": 2, "device": "swgpu1", "engines": ["compute0", "compute1", "copy0", "video0"], "engine_mask": 15, "weight": 1, "quota": 3221225472, "memory_used": 1610612736, "clients": 1, "max_clients": 0, "persistent": false},
    {"id": 9, "device_id": 99, "device": null, "engines": ["bit0", "bit2"], "engine_mask": 5, "weight": 500, "quota": 0, "memory_used": 0, "clients": 0, "max_clients": 0, "persistent": true}
  ]
}
OUT

# run: the program sees the partition alone, through $GPUFE_FD.
rm -f "$state" "$log"
expect part-run-list 0 '' $P "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines compute1,copy0 --quota 64K --weight 7 -- "$smi" list <<'OUT'
gpufe 1.3.0 (features 0x9)
DEV  NAME    BACKEND  MEMORY   ENGINES
1    swgpu0  swgpu    256 MiB  compute0 copy0
OUT
expect part-run-passed 0 '' cat "$log" <<'OUT'
create device=1 flags=0 mask=0x6 quota=65536 weight=7 max_clients=0 uid=0 gid=0 mode=0000 timeout=0
OUT
expect part-run-partition-list 0 '' $P "$smi" -d "$dev" partition run \
	--gpu 1 --engines video0,compute0 -- "$smi" partition list <<'OUT'
ID  DEVICE  ENGINES          WEIGHT  QUOTA  USED  CLIENTS  PERSISTENT
1   swgpu0  compute0,video0  100     -      0 B   2/-      no
OUT
# Its descriptor, open across exec, and no other of gpufe's.
expect part-run-fd 0 '' $P "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines copy0 -- sh -c 'readlink "/proc/$$/fd/$GPUFE_FD"
		for f in /proc/$$/fd/*; do readlink "$f"; done |
		grep -c fake-gpufe' <<'OUT'
/memfd:fake-gpufe-part (deleted)
1
OUT
# The options end at PROGRAM: its own are its.
expect part-run-args 0 '' $P "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines copy0 printf '%s\n' -j --gpu -- x <<'OUT'
-j
--gpu
--
x
OUT
expect part-run-status 7 '' $P "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines copy0 -- sh -c 'exit 7' </dev/null
# Killed by a signal: so is the command (the shell would say so on stderr).
expect part-run-signal 0 '' sh -c 'exec 2>/dev/null; "$@"; echo "status $?"' \
	sh $P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- sh -c 'kill -TERM $$' <<'OUT'
status 143
OUT
expect part-run-not-found 127 '^gpufe-smi: /nonexistent/prog: No such file or directory$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- /nonexistent/prog </dev/null
expect part-run-not-in-path 127 '^gpufe-smi: no-such-program-here: No such file or directory$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- no-such-program-here </dev/null
expect part-run-not-executable 126 '^gpufe-smi: /dev/null: Permission denied$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- /dev/null </dev/null
expect part-run-inside-create 1 'partition create: cannot create a partition of swgpu0: Operation not permitted$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- "$smi" partition create --gpu swgpu0 --engines copy0 --persistent </dev/null
expect part-run-inside-revoke 1 '^gpufe-smi: partition revoke: partition 1: Operation not permitted$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	-- "$smi" partition revoke 1 </dev/null
expect part-run-not-admin 1 '^gpufe-smi: partition run: cannot create a partition of swgpu0: Operation not permitted$' \
	$P FAKE_GPUFE_NOADMIN=1 "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines copy0 -- echo never </dev/null
expect part-create-not-admin 1 '^gpufe-smi: partition create: cannot create a partition of swgpu0: Operation not permitted$' \
	$P FAKE_GPUFE_NOADMIN=1 "$smi" -d "$dev" partition create --gpu swgpu0 \
	--engines copy0 --persistent </dev/null
expect part-revoke-not-admin 1 '^gpufe-smi: partition revoke: partition 1: Operation not permitted$' \
	$P FAKE_GPUFE_NOADMIN=1 "$smi" -d "$dev" partition revoke 1 </dev/null
expect part-run-no-passwd 1 'user 4000000000 has no passwd entry to take a group from; give --user UID:GID$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	--user 4000000000 -- echo never </dev/null
if [ "$(id -u)" = 0 ]; then
	# With supplementary groups to drop, where setpriv(1) can give some.
	groups=
	if command -v setpriv >/dev/null 2>&1; then
		groups="setpriv --groups 4,5 --"
	fi
	expect part-run-user 0 '' $groups $P "$smi" -d "$dev" partition run \
		--gpu swgpu0 --engines copy0 --user 65534:65533 \
		-- sh -c 'id -u; id -g; id -G' <<'OUT'
65534
65533
65533
OUT
else
	expect part-run-user 1 '^gpufe-smi: cannot drop the supplementary groups: Operation not permitted$' \
		$P "$smi" -d "$dev" partition run --gpu swgpu0 \
		--engines copy0 --user 65534:65533 -- echo never </dev/null
fi

# Runtime errors: what the command line names does not exist.
expect part-no-gpu 1 "^gpufe-smi: no device 'swgpu9' (see 'gpufe-smi list')$" \
	$P "$smi" -d "$dev" partition create --gpu swgpu9 --engines copy0 \
	--persistent </dev/null
expect part-no-gpu-id 1 "^gpufe-smi: no device '3' (see 'gpufe-smi list')$" \
	$P "$smi" -d "$dev" partition run --gpu 3 --engines copy0 -- true </dev/null
expect part-no-engine 1 "^gpufe-smi: edu0 has no engine 'copy0'; it has compute0$" \
	$P "$smi" -d "$dev" partition create --gpu edu0 --engines copy0 \
	--persistent </dev/null
expect part-no-engine-run 1 "^gpufe-smi: swgpu1 has no engine 'compute2'; it has compute0 compute1 copy0 video0$" \
	$P "$smi" -d "$dev" partition run --gpu swgpu1 --engines copy0,compute2 \
	-- true </dev/null

# Usage errors: one argument wrong, everything else valid, none run.
: >"$log"
C="partition create --gpu swgpu0 --engines copy0 --persistent"
R="partition run --gpu swgpu0 --engines copy0"
while IFS='|' read -r name args msg; do
	expect "usage-$name" 2 "^gpufe-smi: $msg\$" \
		$P "$smi" -d "$dev" $args </dev/null
done <<USAGE
part-missing|partition|partition: missing subcommand (create, list, revoke or run)
part-unknown|partition frob|partition: unknown subcommand 'frob'
create-no-gpu|partition create --engines copy0 --persistent|partition create: --gpu is required
create-no-engines|partition create --gpu swgpu0 --persistent|partition create: --engines is required
create-not-persistent|partition create --gpu swgpu0 --engines copy0|partition create: without --persistent the partition would end as gpufe-smi exits; add --persistent, or use 'partition run'
create-gpu-no-arg|$C --gpu|partition create: option '--gpu' needs an argument
create-engines-empty|partition create --gpu swgpu0 --engines copy0,,video0 --persistent|partition create: empty engine name in 'copy0,,video0'
create-engines-trailing|partition create --gpu swgpu0 --engines copy0, --persistent|partition create: empty engine name in 'copy0,'
create-engines-twice|partition create --gpu swgpu0 --engines copy0,video0,copy0 --persistent|partition create: engine 'copy0' given twice
create-engines-long|partition create --gpu swgpu0 --engines compute0123456789 --persistent|partition create: engine name 'compute0123456789' too long
create-quota-suffix|$C --quota 1T|partition create: invalid size '1T' (bytes, or with a K, M or G suffix)
create-quota-iec|$C --quota 1KiB|partition create: invalid size '1KiB' (bytes, or with a K, M or G suffix)
create-quota-negative|$C --quota -1|partition create: invalid size '-1' (bytes, or with a K, M or G suffix)
create-quota-empty|$C --quota=|partition create: invalid size '' (bytes, or with a K, M or G suffix)
create-quota-overflow|$C --quota 17179869184G|partition create: invalid size '17179869184G' (bytes, or with a K, M or G suffix)
create-weight-zero|$C --weight 0|partition create: invalid weight '0' (1 to 1000)
create-weight-big|$C --weight 1001|partition create: invalid weight '1001' (1 to 1000)
create-weight-word|$C --weight high|partition create: invalid weight 'high' (1 to 1000)
create-max-clients|$C --max-clients 4294967296|partition create: invalid client limit '4294967296' (a number, 0 for none)
create-owner|$C --owner root|partition create: invalid owner 'root' (a numeric uid)
create-group|$C --group -5|partition create: invalid group '-5' (a numeric gid)
create-mode-digit|$C --mode 0778|partition create: invalid mode '0778' (octal, at most 0777)
create-mode-big|$C --mode 1777|partition create: invalid mode '1777' (octal, at most 0777)
create-user|$C --user 1|partition create: option '--user' is for 'partition run' only
create-persistent-arg|$C --persistent=yes|partition create: option '--persistent' takes no argument
create-unknown|$C --frob|partition create: unknown option '--frob'
create-extra|$C extra|partition create: unexpected argument 'extra'
list-extra|partition list extra|partition list: unexpected argument 'extra'
list-unknown|partition list --all|partition list: unknown option '--all'
revoke-missing|partition revoke|partition revoke: missing partition id
revoke-word|partition revoke one|partition revoke: invalid partition id 'one'
revoke-zero|partition revoke 0|partition revoke: invalid partition id '0'
revoke-big|partition revoke 4294967296|partition revoke: invalid partition id '4294967296'
revoke-extra|partition revoke 1 2|partition revoke: unexpected argument '2'
run-no-gpu|partition run --engines copy0 -- true|partition run: --gpu is required
run-no-engines|partition run --gpu swgpu0 -- true|partition run: --engines is required
run-no-program|$R|partition run: missing program to run
run-no-program-dashes|$R --|partition run: missing program to run
run-persistent|$R --persistent -- true|partition run: option '--persistent' is for 'partition create' only
run-max-clients|$R --max-clients 2 -- true|partition run: option '--max-clients' is for 'partition create' only
run-mode|$R --mode 600 -- true|partition run: option '--mode' is for 'partition create' only
run-user-word|$R --user nobody -- true|partition run: invalid user 'nobody' (UID or UID:GID, numeric)
run-user-colon|$R --user 1: -- true|partition run: invalid user '1:' (UID or UID:GID, numeric)
run-user-gid|$R --user 1:x -- true|partition run: invalid user '1:x' (UID or UID:GID, numeric)
run-quota|$R --quota 1.5G -- true|partition run: invalid size '1.5G' (bytes, or with a K, M or G suffix)
run-weight|$R --weight 0 -- true|partition run: invalid weight '0' (1 to 1000)
run-engines-empty|partition run --gpu swgpu0 --engines= -- true|partition run: empty engine name in ''
USAGE
# None of them made a partition.
expect usage-made-nothing 0 '' cat "$log" </dev/null

# --- engine timeouts (1.4) ---------------------------------------------------

S="env FAKE_GPUFE_SCHED=1 FAKE_GPUFE_STATE=$state FAKE_GPUFE_LOG=$log"
rm -f "$state" "$log"
expect timeout-create 0 '' $S "$smi" -d "$dev" partition create --gpu swgpu0 \
	--engines copy0 --persistent --engine-timeout-ms 250 <<'OUT'
1 /dev/gpufe-part1
OUT
expect timeout-create-max 0 '' $S "$smi" -d "$dev" partition create \
	--gpu swgpu1 --engines compute0 --persistent \
	--engine-timeout-ms=600000 <<'OUT'
2 /dev/gpufe-part2
OUT
expect timeout-create-zero 0 '' $S "$smi" -d "$dev" partition create \
	--gpu edu0 --engines compute0 --persistent --engine-timeout-ms 0 <<'OUT'
3 /dev/gpufe-part3
OUT
expect timeout-run 0 '' $S "$smi" -d "$dev" partition run --gpu swgpu0 \
	--engines compute1 --engine-timeout-ms 1500 -- "$smi" list <<'OUT'
gpufe 1.4.0 (features 0x19)
DEV  NAME    BACKEND  MEMORY   ENGINES
1    swgpu0  swgpu    256 MiB  compute0
OUT
expect timeout-passed 0 '' cat "$log" <<'OUT'
create device=1 flags=1 mask=0x4 quota=0 weight=100 max_clients=0 uid=0 gid=0 mode=0600 timeout=250
create device=2 flags=1 mask=0x1 quota=0 weight=100 max_clients=0 uid=0 gid=0 mode=0600 timeout=600000
create device=12 flags=1 mask=0x1 quota=0 weight=100 max_clients=0 uid=0 gid=0 mode=0600 timeout=0
create device=1 flags=0 mask=0x2 quota=0 weight=100 max_clients=0 uid=0 gid=0 mode=0000 timeout=1500
OUT
# A 1.3 kernel has no engine timeouts; without one, it makes partitions.
rm -f "$state" "$log"
expect timeout-old-kernel 1 \
	'^gpufe-smi: /nonexistent/fake-gpufe: the kernel has no scheduler (gpufe 1.3.0, --engine-timeout-ms needs 1.4)$' \
	$P "$smi" -d "$dev" partition create --gpu swgpu0 --engines copy0 \
	--persistent --engine-timeout-ms 100 </dev/null
expect timeout-old-kernel-run 1 \
	'the kernel has no scheduler (gpufe 1.3.0, --engine-timeout-ms needs 1.4)$' \
	$P "$smi" -d "$dev" partition run --gpu swgpu0 --engines copy0 \
	--engine-timeout-ms 100 -- echo never </dev/null
expect timeout-old-kernel-zero 0 '' $P "$smi" -d "$dev" partition create \
	--gpu swgpu0 --engines copy0 --persistent --engine-timeout-ms 0 <<'OUT'
1 /dev/gpufe-part1
OUT
expect timeout-old-kernel-passed 0 '' cat "$log" <<'OUT'
create device=1 flags=1 mask=0x4 quota=0 weight=100 max_clients=0 uid=0 gid=0 mode=0600 timeout=0
OUT

# Usage errors: none reaches the kernel.
rm -f "$state" "$log"
C="partition create --gpu swgpu0 --engines copy0 --persistent"
while IFS='|' read -r name args msg; do
	expect "usage-$name" 2 "^gpufe-smi: $msg\$" \
		$S "$smi" -d "$dev" $args </dev/null
done <<USAGE
timeout-big|$C --engine-timeout-ms 600001|partition create: invalid engine timeout '600001' (1 to 600000 ms, 0 for the default)
timeout-huge|$C --engine-timeout-ms 4294967296|partition create: invalid engine timeout '4294967296' (1 to 600000 ms, 0 for the default)
timeout-word|$C --engine-timeout-ms 5s|partition create: invalid engine timeout '5s' (1 to 600000 ms, 0 for the default)
timeout-negative|$C --engine-timeout-ms -1|partition create: invalid engine timeout '-1' (1 to 600000 ms, 0 for the default)
timeout-empty|$C --engine-timeout-ms=|partition create: invalid engine timeout '' (1 to 600000 ms, 0 for the default)
timeout-no-arg|$C --engine-timeout-ms|partition create: option '--engine-timeout-ms' needs an argument
timeout-run-big|partition run --gpu swgpu0 --engines copy0 --engine-timeout-ms 700000 -- true|partition run: invalid engine timeout '700000' (1 to 600000 ms, 0 for the default)
USAGE
expect usage-timeout-made-nothing 1 '' test -e "$log" </dev/null

# --- the scheduler (1.4) -----------------------------------------------------

# gpu<id>/ ATTR VALUE...: one attribute file of the fake sysfs tree $root.
attr() {
	mkdir -p "$root/class/gpufe/gpu$1" && printf '%s\n' "$3" \
		>"$root/class/gpufe/gpu$1/$2"
}
# gpu ID POLICY HANGS RESETS BANS: a GPU's whole directory.
gpu() {
	attr "$1" sched_policy "$2" && attr "$1" hangs "$3" &&
		attr "$1" resets "$4" && attr "$1" bans "$5"
}
root=$tmp/sys
gpu 1 equal-share 0 0 0
gpu 2 fixed-share 3 2 1
gpu 12 best-effort 18446744073709551615 7 0
gpu 13 equal-share 0 0 0
S="env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS=$root"

for sub in "" list "policy swgpu0 best-effort"; do
	n=${sub%% *}
	expect "sched-old-kernel-${n:-default}" 1 \
		'^gpufe-smi: /nonexistent/fake-gpufe: the kernel has no scheduler (gpufe 1.3.0, scheduling needs 1.4)$' \
		$P GPUFE_SYSFS="$root" "$smi" -d "$dev" sched $sub </dev/null
done
expect sched-old-kernel-1.0 1 \
	'the kernel has no scheduler (gpufe 1.0.0, scheduling needs 1.4)$' \
	env GPUFE_SYSFS="$root" "$smi" -d "$dev" sched </dev/null

expect sched-list 0 '' $S "$smi" -d "$dev" sched <<'OUT'
DEV  NAME     POLICY       HANGS                 RESETS  BANS
1    swgpu0   equal-share  0                     0       0
2    swgpu1   fixed-share  3                     2       1
12   edu0     best-effort  18446744073709551615  7       0
13   vgpu"0?  equal-share  0                     0       0
OUT
expect sched-list-explicit 0 '' $S FAKE_GPUFE_DEVICES=2 "$smi" -d "$dev" \
	sched list <<'OUT'
DEV  NAME    POLICY       HANGS  RESETS  BANS
1    swgpu0  equal-share  0      0       0
2    swgpu1  fixed-share  3      2       1
OUT
expect sched-list-json 0 '' $S "$smi" -d "$dev" sched -j <<'OUT'
{
  "devices": [
    {"id": 1, "name": "swgpu0", "policy": "equal-share", "hangs": 0, "resets": 0, "bans": 0},
    {"id": 2, "name": "swgpu1", "policy": "fixed-share", "hangs": 3, "resets": 2, "bans": 1},
    {"id": 12, "name": "edu0", "policy": "best-effort", "hangs": 18446744073709551615, "resets": 7, "bans": 0},
    {"id": 13, "name": "vgpu\"0\u001b", "policy": "equal-share", "hangs": 0, "resets": 0, "bans": 0}
  ]
}
OUT
expect sched-list-json-before 0 '' $S FAKE_GPUFE_DEVICES=1 "$smi" --json \
	-d "$dev" sched list <<'OUT'
{
  "devices": [
    {"id": 1, "name": "swgpu0", "policy": "equal-share", "hangs": 0, "resets": 0, "bans": 0}
  ]
}
OUT
expect sched-list-none 0 '' $S FAKE_GPUFE_DEVICES=0 "$smi" -d "$dev" \
	sched <<'OUT'
No devices.
OUT
expect sched-list-none-json 0 '' $S FAKE_GPUFE_DEVICES=0 "$smi" -d "$dev" \
	sched list -j <<'OUT'
{
  "devices": []
}
OUT
# Through $GPUFE_DEVICE, as every command opens the node.
expect sched-list-env 0 '' $S FAKE_GPUFE_DEVICES=1 GPUFE_DEVICE="$dev" \
	"$smi" sched <<'OUT'
DEV  NAME    POLICY       HANGS  RESETS  BANS
1    swgpu0  equal-share  0      0       0
OUT

# A GPU whose directory went since the device list: unplugged.
root=$tmp/sys-gone
gpu 1 best-effort 1 1 0
mkdir -p "$root/class/gpufe"
expect sched-list-unplugged 0 '' env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" \
	FAKE_GPUFE_DEVICES=2 "$smi" -d "$dev" sched <<'OUT'
DEV  NAME    POLICY       HANGS  RESETS  BANS
1    swgpu0  best-effort  1      1       0
2    swgpu1  (unplugged)  -      -       -
OUT
expect sched-list-unplugged-json 0 '' env FAKE_GPUFE_SCHED=1 \
	GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=2 "$smi" -d "$dev" -j sched <<'OUT'
{
  "devices": [
    {"id": 1, "name": "swgpu0", "policy": "best-effort", "hangs": 1, "resets": 1, "bans": 0},
    {"id": 2, "name": "swgpu1", "policy": null, "hangs": null, "resets": null, "bans": null}
  ]
}
OUT
# $GPUFE_SYSFS is where sysfs is: none there, every GPU is gone.
expect sched-sysfs-elsewhere 0 '' env FAKE_GPUFE_SCHED=1 \
	GPUFE_SYSFS=/nonexistent FAKE_GPUFE_DEVICES=1 "$smi" -d "$dev" sched <<'OUT'
DEV  NAME    POLICY       HANGS  RESETS  BANS
1    swgpu0  (unplugged)  -      -       -
OUT

# What sysfs should not hold: an error, and nothing printed.
root=$tmp/sys-bad
gpu 1 equal-share 0 0 0
rm "$root/class/gpufe/gpu1/resets"
expect sched-list-missing-attr 1 \
	"^gpufe-smi: $root/class/gpufe/gpu1/resets: No such file or directory\$" \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=1 \
	"$smi" -d "$dev" sched </dev/null
attr 1 resets 12x
expect sched-list-malformed 1 \
	"^gpufe-smi: $root/class/gpufe/gpu1/resets: not a number\$" \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=1 \
	"$smi" -d "$dev" sched </dev/null
attr 1 resets 18446744073709551616
expect sched-list-overflow 1 'resets: not a number$' \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=1 \
	"$smi" -d "$dev" sched </dev/null
attr 1 resets ""
expect sched-list-empty-counter 1 'resets: not a number$' \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=1 \
	"$smi" -d "$dev" sched </dev/null
attr 1 resets 0
attr 1 sched_policy "$(printf '%070d' 0)"
expect sched-list-too-long 1 'sched_policy: value too long$' \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$root" FAKE_GPUFE_DEVICES=1 \
	"$smi" -d "$dev" sched </dev/null

# policy: by name or id; the file gets the policy and a newline.
root=$tmp/sys
expect sched-policy 0 '' $S "$smi" -d "$dev" sched policy swgpu1 \
	best-effort </dev/null
expect sched-policy-written 0 '' od -c "$root/class/gpufe/gpu2/sched_policy" <<'OUT'
0000000   b   e   s   t   -   e   f   f   o   r   t  \n
0000014
OUT
expect sched-policy-id 0 '' $S "$smi" -d "$dev" sched policy 12 \
	fixed-share </dev/null
expect sched-policy-equal 0 '' $S "$smi" -d "$dev" sched policy swgpu0 \
	equal-share </dev/null
expect sched-policy-listed 0 '' $S "$smi" -d "$dev" sched <<'OUT'
DEV  NAME     POLICY       HANGS                 RESETS  BANS
1    swgpu0   equal-share  0                     0       0
2    swgpu1   best-effort  3                     2       1
12   edu0     fixed-share  18446744073709551615  7       0
13   vgpu"0?  equal-share  0                     0       0
OUT
expect sched-policy-no-gpu 1 "^gpufe-smi: no device 'swgpu9' (see 'gpufe-smi list')\$" \
	$S "$smi" -d "$dev" sched policy swgpu9 best-effort </dev/null
expect sched-policy-unplugged 1 \
	"^gpufe-smi: sched policy: swgpu1: cannot write $tmp/sys-gone/class/gpufe/gpu2/sched_policy: No such file or directory\$" \
	env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$tmp/sys-gone" "$smi" -d "$dev" \
	sched policy swgpu1 best-effort </dev/null
# The kernel refuses: its error.
if [ -w /dev/full ]; then
	ln -sf /dev/full "$tmp/sys-bad/class/gpufe/gpu1/sched_policy"
	expect sched-policy-write-error 1 \
		"^gpufe-smi: sched policy: swgpu0: cannot write $tmp/sys-bad/class/gpufe/gpu1/sched_policy: No space left on device\$" \
		env FAKE_GPUFE_SCHED=1 GPUFE_SYSFS="$tmp/sys-bad" "$smi" \
		-d "$dev" sched policy swgpu0 fixed-share </dev/null
fi
# Root only.
if [ "$(id -u)" != 0 ]; then
	chmod 0444 "$root/class/gpufe/gpu1/sched_policy"
	expect sched-policy-not-root 1 \
		"^gpufe-smi: sched policy: swgpu0: cannot write $root/class/gpufe/gpu1/sched_policy: Permission denied (root only)\$" \
		$S "$smi" -d "$dev" sched policy swgpu0 best-effort </dev/null
	chmod 0644 "$root/class/gpufe/gpu1/sched_policy"
fi

# Usage errors: exit 2, nothing written.
cp -R "$root" "$tmp/sys-before"
while IFS='|' read -r name args msg; do
	expect "usage-$name" 2 "^gpufe-smi: $msg\$" \
		$S "$smi" -d "$dev" $args </dev/null
done <<USAGE
sched-unknown|sched frob|sched: unknown subcommand 'frob' (list or policy)
sched-option|sched --all|sched: unknown option '--all'
sched-extra|sched -j more|sched: unexpected argument 'more'
sched-list-extra|sched list more|sched list: unexpected argument 'more'
sched-list-option|sched list --gpu swgpu0|sched list: unknown option '--gpu'
sched-policy-missing|sched policy|sched policy: missing GPU and policy
sched-policy-no-policy|sched policy swgpu0|sched policy: missing policy (best-effort, equal-share or fixed-share)
sched-policy-invalid|sched policy swgpu0 round-robin|sched policy: invalid policy 'round-robin' (best-effort, equal-share or fixed-share)
sched-policy-case|sched policy swgpu0 Fixed-Share|sched policy: invalid policy 'Fixed-Share' (best-effort, equal-share or fixed-share)
sched-policy-extra|sched policy swgpu0 fixed-share now|sched policy: unexpected argument 'now'
sched-policy-option|sched policy --weight 1 swgpu0 fixed-share|sched policy: unknown option '--weight'
USAGE
expect usage-sched-wrote-nothing 0 '' diff -r "$tmp/sys-before" "$root" </dev/null
expect help-sched 0 '' sh -c "\"\$1\" sched --help | head -n 1" sh "$smi" <<'OUT'
Usage: gpufe-smi [OPTION]... [COMMAND]
OUT
expect help-sched-policy 0 '' \
	sh -c "\"\$1\" sched policy -h | head -n 1" sh "$smi" <<'OUT'
Usage: gpufe-smi [OPTION]... [COMMAND]
OUT

echo "gpufe-smi: $pass passed, $fail failed"
[ $fail -eq 0 ]
