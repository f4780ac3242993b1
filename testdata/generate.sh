#!/usr/bin/env bash
# generate.sh OUTDIR [BUILD_DIR]: writes the test fixtures into OUTDIR with the built generator
# (BUILD_DIR/bin/gen-testdata, default build/). ctest runs the generator itself (the
# testdata_generate test, into BUILD_DIR/testdata); this script is for using them by hand.
set -eu
out=${1:?usage: testdata/generate.sh OUTDIR [BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../build}
gen=$build/bin/gen-testdata
if [ ! -x "$gen" ]; then
    echo "generate.sh: $gen not found; build first (make, or cmake --build $build --target gen-testdata)" >&2
    exit 1
fi
exec "$gen" "$out"
