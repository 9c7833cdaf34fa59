#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-symbols.sh SYMFILE SONAME LIBRARY.so OBJECT.o...
#
# Fails unless
#  - the dynamic symbols LIBRARY.so defines are exactly those in SYMFILE,
#    each in the version node SYMFILE puts it under (what the version
#    script let out), and
#  - the global, default-visibility symbols the objects define are exactly
#    those in SYMFILE (what gpuclient_public marked; this catches a public
#    function missing from SYMFILE, which the version script would hide), and
#  - LIBRARY.so's DT_SONAME is SONAME.

set -eu

if [ $# -lt 4 ]; then
	echo "usage: $0 SYMFILE SONAME LIBRARY.so OBJECT.o..." >&2
	exit 2
fi

symfile=$1
soname=$2
lib=$3
shift 3

NM=${NM:-nm}
READELF=${READELF:-readelf}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# SYMFILE: "NODE:" lines open a version node, other lines name symbols.
awk '/^[[:space:]]*(#|$)/ { next }
     /:[[:space:]]*$/ { node = $1; sub(/:$/, "", node); next }
     { print $1 "@" node }' "$symfile" | sort >"$tmp/want-versioned"
sed 's/@.*//' "$tmp/want-versioned" | sort >"$tmp/want"
if ! sort -c -u "$tmp/want" 2>/dev/null; then
	echo "check-symbols: $symfile lists a symbol twice" >&2
	exit 1
fi
if grep -q '@$' "$tmp/want-versioned"; then
	echo "check-symbols: $symfile lists a symbol before any version node" >&2
	exit 1
fi

# "A" entries are the version nodes (GPUCLIENT_1.0), not functions; the
# default version of a symbol is printed as name@@NODE.
"$NM" -D --defined-only "$lib" |
	awk '$2 != "A" { sub(/@@?/, "@", $3); print $3 }' |
	sort -u >"$tmp/so-versioned"

"$READELF" -sW "$@" |
	awk '($5 == "GLOBAL" || $5 == "WEAK") && $6 == "DEFAULT" &&
	     $7 != "UND" && $8 != "" { print $8 }' | sort -u >"$tmp/obj"

status=0
if ! diff -u "$tmp/want-versioned" "$tmp/so-versioned" >"$tmp/diff"; then
	echo "check-symbols: $lib exports (symbol@node) differ from $symfile:" >&2
	cat "$tmp/diff" >&2
	status=1
fi
if ! diff -u "$tmp/want" "$tmp/obj" >"$tmp/diff"; then
	echo "check-symbols: gpuclient_public symbols differ from $symfile:" >&2
	cat "$tmp/diff" >&2
	status=1
fi

got_soname=$("$READELF" -dW "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$got_soname" != "$soname" ]; then
	echo "check-symbols: $lib has soname '$got_soname', want '$soname'" >&2
	status=1
fi

if [ $status -eq 0 ]; then
	echo "check-symbols: $(wc -l <"$tmp/want") exported symbols match $symfile"
fi
exit $status
