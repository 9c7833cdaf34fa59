# SPDX-License-Identifier: MIT
#
# gpuclient-map.awk: turn gpuclient.sym into a GNU ld version script.
#
# gpuclient.sym lists the exported functions under version nodes: a line
# "GPUCLIENT_1.1:" opens a node, the names after it belong to it. Each node
# inherits the one before it; the first also hides every other symbol.
# Blank lines and lines starting with '#' are ignored.

function finish() {
	if (node == "")
		return
	if (parent == "")
		printf "local:\n\t*;\n};\n\n"
	else
		printf "} %s;\n\n", parent
}

/^[[:space:]]*(#|$)/ { next }

/:[[:space:]]*$/ {
	finish()
	parent = node
	node = $1
	sub(/:$/, "", node)
	printf "%s {\nglobal:\n", node
	next
}

{
	if (node == "") {
		print FILENAME ": " $1 " is in no version node" > "/dev/stderr"
		exit 1
	}
	printf "\t%s;\n", $1
}

END { finish() }
