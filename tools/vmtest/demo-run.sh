# make demo, in the VM: the GPUs, then several processes at work on them.
gpufe-smi
