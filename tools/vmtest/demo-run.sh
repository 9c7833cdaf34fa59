# make demo, in the VM: the GPUs, then several processes at work on them,
# each checking its own results (libgpuclient/examples/).
gpufe-smi
echo
echo "Four processes at once: fill (copy engine), vadd (compute engine),"
echo "share (a buffer filled on one GPU, copied on the other), fill again."
fill >/tmp/fill-a.log 2>&1 &
a=$!
vadd >/tmp/vadd.log 2>&1 &
b=$!
share >/tmp/share.log 2>&1 &
c=$!
fill >/tmp/fill-b.log 2>&1 &
d=$!
rc=0
wait $a || rc=1
wait $b || rc=1
wait $c || rc=1
wait $d || rc=1
for log in fill-a vadd share fill-b; do
	echo "--- $log"
	cat /tmp/$log.log
done
echo
gpufe-smi
exit $rc
