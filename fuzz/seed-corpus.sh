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
# Bytes no .lode file in the repository holds: a byte-order mark inside a
# line, a bare carriage return, a long line with an error far into it.
printf 'let x = 1\357\273\277y\n' > "$dir/seed_bom_inside.lode"
printf '\357\273\277use world2024\rCN restricts rare_earths to JP\r' > "$dir/seed_bare_cr.lode"
printf 'CN restricts rare_earths to %70000sJPN\rx\n' '' > "$dir/seed_long_line_cr.lode"
printf 'let x = 1 + -2\nexpect JP.rare_earths.demand == 6.7%% +-0.1%%\n' > "$dir/seed_plus_minus.lode"
echo "$(ls "$dir" | wc -l) seeds in $dir"
