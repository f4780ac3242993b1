#!/usr/bin/env bash
# dedup_staged.sh: the staged MinHash run (sign/bucket/cluster/filter over ranks) gives the same
# bytes as the one-process run; so do -j 1 and -j 2, standard input, and a stage rerun after
# a simulated crash. Uses a corpus generated here (no shared data).
set -eu
: "${LMK_BIN:?}"
D="$LMK_BIN/dedup"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# 3 files of documents: 40 base texts of 80 distinct words, plus copies with 0-6 word edits.
awk 'BEGIN {
    srand(7);
    for (f = 0; f < 3; f++) {
        file = "in" f ".jsonl";
        for (d = 0; d < 40; d++) {
            base = (f * 40 + d) % 50;
            edits = (d % 3 == 0) ? 0 : int(rand() * 7);
            text = "";
            for (w = 0; w < 80; w++) {
                word = "w" sprintf("%c%c%c", 97 + (base * 80 + w) % 26, 97 + int((base * 80 + w) / 26) % 26, 97 + int((base * 80 + w) / 676) % 26);
                if (w < edits) word = "edit" sprintf("%c", 97 + int(rand() * 26));
                text = text (w ? " " : "") word;
            }
            printf "{\"id\":\"f%dd%d\",\"text\":\"%s\",\"meta\":{\"n\":%d}}\n", f, d, text, d > file;
        }
    }
}'
files="in0.jsonl in1.jsonl in2.jsonl"

"$D" minhash -q -j 1 $files -o one.jsonl --duplicates one.dups --stats one.json
[ -s one.dups ] || { echo "no duplicates found"; exit 1; }
"$D" minhash -q -j 2 $files -o j2.jsonl --duplicates j2.dups
cmp one.jsonl j2.jsonl && cmp one.dups j2.dups
cat $files | "$D" minhash -q - -o stdin.jsonl
cmp one.jsonl stdin.jsonl

for r in 0 1; do "$D" minhash -q --stage sign --rank $r --world 2 --work-dir w $files; done
for r in 0 1 2; do "$D" minhash -q --stage bucket --rank $r --world 3 --work-dir w $files; done
# A crash in the middle of bucket: its output and marker are gone; rerunning redoes only that band.
rm w/bucket/band-005.pairs w/bucket/band-005.pairs.done
"$D" minhash -q --stage bucket --rank 2 --world 3 --work-dir w $files
"$D" minhash -q --stage cluster --work-dir w $files
for r in 0 1; do
    "$D" minhash -q --stage filter --rank $r --world 2 --work-dir w $files -o "part-{rank}.jsonl" --duplicates "dups-{rank}.jsonl"
done
cat part-00000.jsonl part-00001.jsonl | cmp - one.jsonl
cat dups-00000.jsonl dups-00001.jsonl | cmp - one.dups

# The same with --verify-jaccard (shingle sets written by sign, checked by cluster).
"$D" minhash -q $files --verify-jaccard 0.9 -o v.jsonl --duplicates v.dups
for r in 0 1 2; do "$D" minhash -q --stage sign --rank $r --world 3 --work-dir wv --verify-jaccard 0.9 $files; done
"$D" minhash -q --stage bucket --work-dir wv --verify-jaccard 0.9 $files
"$D" minhash -q --stage cluster --work-dir wv --verify-jaccard 0.9 $files
for r in 0 1 2; do
    "$D" minhash -q --stage filter --rank $r --world 3 --work-dir wv --verify-jaccard 0.9 $files -o "vp-{rank}.jsonl" --duplicates "vd-{rank}.jsonl"
done
cat vp-0000?.jsonl | cmp - v.jsonl
cat vd-0000?.jsonl | cmp - v.dups

# A stage given other parameters than the sign stage refuses to run.
if "$D" minhash -q --stage cluster --work-dir w --ngram 4 $files 2>err.txt; then echo "accepted changed --ngram"; exit 1; fi
grep -q "made with other parameters" err.txt
echo "staged == one-process: $(wc -l < one.jsonl) kept, $(wc -l < one.dups) removed"
