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
exit $rc
