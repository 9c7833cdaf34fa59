# make bench, in the VM: one figure a line, NAME: VALUE.
gpufe-bench
