#!/usr/bin/env bash
# install-deps.sh: install the Debian 12 packages lmkit's build, tests and demo need.
# Idempotent: only missing packages are installed. As a non-root user without sudo it
# prints the apt-get command to run instead. `--optional` adds the packages that only
# optional reference scripts and benchmarks use (PyTorch with OpenBLAS: without
# libopenblas0 Debian's torch falls back to the slow reference BLAS; Node.js tools are separate).
set -eu

REQUIRED="build-essential cmake make pkg-config git
libcli11-dev libsimdjson-dev libzstd-dev zstd libxxhash-dev libtbb-dev libfmt-dev doctest-dev
zlib1g-dev libutf8proc-dev libcld2-dev libdnnl-dev libgumbo-dev libbz2-dev
libopenmpi-dev openmpi-bin"
OPTIONAL="python3-torch python3-numpy libopenblas0-pthread clang libclang-rt-14-dev valgrind hyperfine sentencepiece"

want="$REQUIRED"
[ "${1:-}" = "--optional" ] && want="$REQUIRED $OPTIONAL"

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present" >&2
    exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
    runner=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    runner="sudo"
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root: apt-get update && $cmd" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$runner apt-get update -qq >&2
$runner $cmd >&2
