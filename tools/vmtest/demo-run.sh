# make demo, in the VM: the GPUs, then several processes at work on them,
# each checking its own results (libgpuclient/examples/).
gpufe-smi
echo
echo "Five processes at once: fill (copy engine), vadd (compute engine),"
echo "share (a buffer filled on one GPU, copied on the other), fill again,"
echo "and waitmodes (sleeping, spinning on the completion page, both)."
fill >/tmp/fill-a.log 2>&1 &
a=$!
vadd >/tmp/vadd.log 2>&1 &
b=$!
share >/tmp/share.log 2>&1 &
c=$!
fill >/tmp/fill-b.log 2>&1 &
d=$!
waitmodes >/tmp/waitmodes.log 2>&1 &
e=$!
rc=0
wait $a || rc=1
wait $b || rc=1
wait $c || rc=1
wait $d || rc=1
wait $e || rc=1
for log in fill-a vadd share fill-b waitmodes; do
	echo "--- $log"
	cat /tmp/$log.log
done
echo
gpufe-smi

# Partitions: two programs, each run by gpufe-smi in a partition of swgpu0
# of its own, as user 65534 (UID:GID, as the VM has no /etc/passwd). Each
# shows what it sees, runs the example its engine fits, and checks that
# the example needing the other engine class fails cleanly; then it keeps
# its partition until the gate file exists, so that both partitions are
# listed at once. Every wait is bounded.
echo
echo "Two partitions of swgpu0 side by side, each running a program as user"
echo "65534: one with swgpu0's compute1 alone, one with its copy0 alone."
echo "Inside, the GPU shows only the partition's engines, renumbered."
rm -f /tmp/part-gate /tmp/part-*.ready /tmp/part-*.log /tmp/part-*.out
cat >/tmp/part-inner.sh <<'INNER'
# part-inner.sh NAME GOOD BAD CLASS - in a partition: show what it sees,
# run GOOD (must pass) and BAD (must fail for want of a CLASS engine),
# write /tmp/part-NAME.ready, and keep the partition until /tmp/part-gate
# exists (60 s at most). Exits 0 if all went as expected.
name=$1 good=$2 bad=$3 class=$4
out=/tmp/part-$name.out
rc=0
{
	echo "[$name] uid $(id -u), GPUFE_FD=$GPUFE_FD; gpufe-smi shows:"
	gpufe-smi || rc=1
	echo "[$name] $good, which needs only the engine it has:"
	$good || rc=1
	echo "[$name] $bad, which needs a $class engine, must fail:"
	bad_rc=0
	$bad >"$out" 2>&1 || bad_rc=$?
	cat "$out"
	if [ $bad_rc = 0 ]; then
		echo "[$name] UNEXPECTED: $bad passed: it found a $class engine"
		rc=1
	elif grep -q "no $class engine" "$out"; then
		echo "[$name] as expected: the partition has no $class engine"
	else
		echo "[$name] UNEXPECTED: $bad failed for another reason"
		rc=1
	fi
} >"/tmp/part-$name.log" 2>&1
touch "/tmp/part-$name.ready"
i=0
while [ ! -e /tmp/part-gate ]; do
	i=$((i + 1))
	if [ $i -gt 600 ]; then
		echo "[$name] UNEXPECTED: the gate did not open within 60 s"
		exit 1
	fi
	sleep 0.1
done
exit $rc
INNER
gpufe-smi partition run --gpu swgpu0 --engines compute1 \
	--user 65534:65534 -- sh /tmp/part-inner.sh compute vadd fill copy &
pa=$!
gpufe-smi partition run --gpu swgpu0 --engines copy0 \
	--user 65534:65534 -- sh /tmp/part-inner.sh copy fill vadd compute &
pb=$!
# Until both are done with the GPU, 60 s at most.
i=0
while [ ! -e /tmp/part-compute.ready ] || [ ! -e /tmp/part-copy.ready ]; do
	i=$((i + 1))
	if [ $i -gt 600 ]; then
		echo "UNEXPECTED: the partitions' programs not done within 60 s"
		rc=1
		break
	fi
	sleep 0.1
done
for name in compute copy; do
	echo "--- the program in the $name partition"
	cat /tmp/part-$name.log 2>/dev/null || true
done
echo
echo "Both programs still hold their partitions; outside, as root:"
gpufe-smi partition list | tee /tmp/part-list-both.out
if [ "$(grep -c swgpu0 /tmp/part-list-both.out)" != 2 ]; then
	echo "UNEXPECTED: gpufe-smi partition list does not show both partitions"
	rc=1
fi
echo "Gate open: both programs exit, and their partitions end with them:"
touch /tmp/part-gate
wait $pa || rc=1
wait $pb || rc=1
gpufe-smi partition list | tee /tmp/part-list-none.out
if ! grep -q '^No partitions' /tmp/part-list-none.out; then
	echo "UNEXPECTED: partitions are left after their programs exited"
	rc=1
fi
exit $rc
