#!/usr/bin/env bash
# Cross-check: a safetensors file written independently (Python standard library only, laid
# out as Hugging Face's safetensors package lays it out: header keys sorted, metadata first,
# space padding to 8 bytes) is read by lmkit, and inspect reports exactly its tensors,
# dtypes, shapes, parameter count and metadata. Skips (exit 77) without python3.
set -u
: "${LMK_BIN:?}"
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/ref.safetensors" <<'PY' || exit 1
import json, struct, sys
tensors = {  # name: (dtype, shape, little-endian bytes)
    "lm_head.weight": ("F16", [2, 2], struct.pack("<4e", 1.0, -0.5, 65504.0, 1e-7)),
    "transformer.wte.weight": ("F32", [3, 2], struct.pack("<6f", 0, 1, 2, 3, 4, 5)),
    "bf": ("BF16", [1], struct.pack("<H", struct.unpack("<I", struct.pack("<f", 1.0))[0] >> 16)),
    "step": ("I64", [], struct.pack("<q", 1234567890123)),
    "ids": ("I32", [0], b""),
}
header, data = {"__metadata__": {"format": "pt", "note": "caf\u00e9"}}, b""
for name in sorted(tensors):
    dtype, shape, raw = tensors[name]
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-(8 + len(text)) % 8)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
PY
got=$("$LMK_BIN/inspect" --json "$tmp/ref.safetensors") || { echo "FAIL: inspect exit $?"; exit 1; }
# 12 parameters = 4 + 6 + 1 + 1 (scalar) + 0; 42 data bytes = 8 + 24 + 2 + 8 + 0; equal counts sort by name.
want='{"file":"'"$tmp"'/ref.safetensors","format":"safetensors","compression":"none","tensors":5,"parameters":12,"data_bytes":42,"dtypes":{"BF16":1,"F16":1,"F32":1,"I32":1,"I64":1},"metadata":{"format":"pt","note":"café"},"tensor_list":[{"name":"bf","dtype":"BF16","shape":[1]},{"name":"ids","dtype":"I32","shape":[0]},{"name":"lm_head.weight","dtype":"F16","shape":[2,2]},{"name":"step","dtype":"I64","shape":[]},{"name":"transformer.wte.weight","dtype":"F32","shape":[3,2]}]}'
if [ "$got" != "$want" ]; then
    echo "FAIL: inspect --json differs"
    echo "  got:  $got"
    echo "  want: $want"
    exit 1
fi
echo "ok: independently written safetensors file read as written"
