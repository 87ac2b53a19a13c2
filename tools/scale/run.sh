#!/bin/sh
# The scale measurements of PERFORMANCE.md ("Scale"), reproducible by command:
#
#   tools/scale/run.sh worlds DIR     write the synthetic worlds into DIR
#   tools/scale/run.sh memory DIR     peak RSS and time of every world × format
#   tools/scale/run.sh time DIR       whole-process times side by side (hyperfine)
#   tools/scale/run.sh peer DIR       lode against the Python model (tools/xcheck), and
#                                     what a process costs that does nothing
#
# Needs a release build (`cargo build --release --bin lode --example synth`),
# GNU time (/usr/bin/time) and hyperfine. Output goes to /dev/null; the
# worlds' warnings (W0302, W0304) go to /dev/null too.
set -eu
cd "$(dirname "$0")/../.."
L=${LODE:-target/release/lode}
S=${SYNTH:-target/release/examples/synth}
what=${1:?usage: run.sh worlds|memory|time|peer DIR}
dir=${2:?usage: run.sh worlds|memory|time|peer DIR}
mkdir -p "$dir"

world() { # NAME ACTORS MINERALS STAGES SCENARIOS
  "$S" --actors "$2" --minerals "$3" --stages "$4" --scenarios "$5" > "$dir/$1.lode"
}

case $what in
worlds)
  world w_200_40 200 40 3 12
  world w_400_40 400 40 3 12
  world w_200_80 200 80 3 12
  world w_1000_13 1000 13 3 4
  world w_50_6 50 6 3 6
  ls -l "$dir"
  ;;
memory)
  uptime
  for w in w_200_40 w_400_40 w_200_80 w_1000_13; do
    for f in table markdown csv json; do
      /usr/bin/time -f "$w $f %e s wall %U s user %S s sys %M KB peak" \
        "$L" run "$dir/$w.lode" --format "$f" 2>&1 >/dev/null | tail -1
    done
  done
  ;;
time)
  uptime
  hyperfine -N --warmup 1 --runs 5 --style basic \
    "$L run $dir/w_200_40.lode --format table" \
    "$L run $dir/w_200_40.lode --format markdown" \
    "$L run $dir/w_200_40.lode --format csv" \
    "$L run $dir/w_200_40.lode --format json" \
    "$L run $dir/w_400_40.lode" \
    "$L run $dir/w_200_80.lode" \
    "$L run $dir/w_1000_13.lode" \
    "$L run -e 'coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP'" \
    2>&1 | grep -v '^ *$'
  uptime
  ;;
peer)
  # The target's world, then larger ones, where the fixed costs of a
  # process (start-up, the parse) weigh less.
  world p_100_6 100 6 3 6
  world p_200_6 200 6 3 6
  world p_50_24 50 24 3 6
  uptime
  for w in w_50_6 p_100_6 p_200_6 p_50_24; do
    # The same numbers first: xcheck compares every value with lode's JSON.
    python3 tools/xcheck/xcheck.py --quiet "$dir/$w.lode"
    hyperfine -N --warmup 1 --runs 5 --style basic \
      "$L run $dir/$w.lode --format json" \
      "python3 tools/xcheck/xcheck.py $dir/$w.lode --dump"
  done
  hyperfine -N --warmup 5 --runs 30 --style basic /bin/true "$L --version" "python3 -c pass"
  ;;
*)
  echo "usage: run.sh worlds|memory|time|peer DIR" >&2
  exit 2
  ;;
esac
