# make bench, in the VM: one figure a line, "NAME: VALUE (SPREAD; GOAL, met|missed)",
# after "# " lines with what is behind it.
gpufe-bench
