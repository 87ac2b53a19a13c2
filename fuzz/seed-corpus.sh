#!/bin/sh
# Seeds fuzz/corpus/parse_check_eval with every .lode file in the repository.
# Run from the repository root: sh fuzz/seed-corpus.sh
set -eu
dir=fuzz/corpus/parse_check_eval
mkdir -p "$dir" fuzz/corpus/structured
find . -path ./target -prune -o -path ./fuzz -prune -o -name '*.lode' -print |
while read -r f; do
    cp "$f" "$dir/$(echo "${f#./}" | tr '/' '_')"
done
echo "$(ls "$dir" | wc -l) seeds in $dir"
