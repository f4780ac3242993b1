#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang) into $LMK_BUILD/fuzz and runs each one for a
# bounded time (about 10 s in all) from a small seed corpus made here. Fails on any crash or
# sanitizer report; skips (exit 77) when clang++ is not installed.
set -u
: "${LMK_SRC:?}" "${LMK_BUILD:?}"
cxx=$(command -v clang++ || command -v clang++-14 || true)
cc=$(command -v clang || command -v clang-14 || true)
if [ -z "$cxx" ] || [ -z "$cc" ]; then
    echo "skip: clang++ not installed (libFuzzer targets need clang)"
    exit 77
fi
out="$LMK_BUILD/fuzz"
cmake -S "$LMK_SRC/fuzz" -B "$out" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$out.log" 2>&1 &&
    cmake --build "$out" -j "${LMK_FUZZ_JOBS:-2}" >>"$out.log" 2>&1 ||
    { echo "FAIL: building the fuzz targets (log: $out.log)"; tail -30 "$out.log"; exit 1; }

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds"/{jsonl,warc,shard,safetensors}
printf '{"id":"a","text":"hi","n":1.5}\n\n{"x":[1,{"y":null}],"text":"\\u00e9"}\nbad\n' >"$seeds/jsonl/1"
printf '{"text":"a"}\n' | gzip -n >"$seeds/jsonl/2"
rec='WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Identified-Content-Language: eng\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n'
printf "$rec" >"$seeds/warc/1"
{ printf "$rec" | gzip -n; printf "$rec" | gzip -n | head -c 30; } >"$seeds/warc/2"
{ printf '\x88\xd8\x34\x01\x01\x00\x00\x00\x02\x00\x00\x00'; head -c 1012 /dev/zero; printf '\x01\x00\x02\x00'; } >"$seeds/shard/1"
{ printf '\x50\x00\x00\x00\x00\x00\x00\x00'
  printf '%-80s' '{"__metadata__":{"a":"b"},"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}'
  printf '\x00\x3c\x00\xbc'; } >"$seeds/safetensors/1"

fails=0
for t in jsonl warc shard safetensors; do
    # -max_total_time bounds the run; timeout guards against a hang in the target itself.
    if timeout 60 "$out/fuzz_$t" -max_total_time=2 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$seeds/crash-$t-" "$seeds/$t" >"$seeds/$t.log" 2>&1; then
        echo "ok   fuzz_$t: $(grep -E '^Done' "$seeds/$t.log")"
    else
        echo "FAIL fuzz_$t"
        grep -E 'ERROR|SUMMARY|==[0-9]+==' "$seeds/$t.log" | head -20
        for a in "$seeds"/crash-$t-*; do [ -f "$a" ] && { echo "input:"; od -c "$a" | head -20; }; done
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ]
