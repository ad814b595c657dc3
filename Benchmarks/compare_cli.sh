#!/usr/bin/env bash
# Byte-for-byte comparison of two `strata` binaries' command-line surface: for every command and subcommand
# (found by walking the SUBCOMMANDS sections of the help, starting at the root) its `--help`, `-h`, `help PATH`,
# `--experimental-dump-help`, the bare command and an unknown option; then the version, the completion scripts
# (bash, zsh, fish, and the flag without a value), the parser's usage errors (missing and bad values, a
# negative number read as an option, a single-dash word, an unknown subcommand) and a few runs that succeed.
# Each case compares standard output, standard error and the exit status.
#
#   bash Benchmarks/compare_cli.sh BEFORE AFTER
#   bash Benchmarks/compare_cli.sh /tmp/strata-main .build/release/strata
# Prints one line per difference and a summary; exits 1 when any case differs.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 BEFORE AFTER" >&2; exit 64; }
BEFORE="$(realpath "$1")"
AFTER="$(realpath "$2")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The command paths, breadth-first: "" (the root), "calc", "calc proportions", ...
subcommands() {  # the names listed under SUBCOMMANDS: in the help of the command path "$1" ($BEFORE's)
  # shellcheck disable=SC2086
  "$BEFORE" $1 --help 2>/dev/null | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^[A-Z]/ { on = 0 }
    on && /^  [a-z]/ { print $1 }'
}
paths=("")
index=0
while [ $index -lt ${#paths[@]} ]; do
  path=${paths[$index]}
  index=$((index + 1))
  for name in $(subcommands "$path"); do
    [ "$name" = help ] && continue
    paths+=("${path:+$path }$name")
  done
done

cases=()
add() { cases+=("$*"); }
for path in "${paths[@]}"; do
  add "$path --help"
  add "$path -h"
  add "$path --experimental-dump-help"
  add "$path"
  add "$path --no-such-option"
  [ -n "$path" ] && add "help $path"
done
add "--version"
add "help"
add "help no-such-command"
add "no-such-command"
for shell in bash zsh fish; do add "--generate-completion-script $shell"; done
add "--generate-completion-script"
add "--generate-completion-script=bash"
add "calc proportions --generate-completion-script zsh"
add "calc proportions --a 300,2000 --b 255,2000"
add "calc proportions --a 300,2000 --b 255,2000 --json"
add "calc proportions --a 300,2000 --b 255,2000 --alpha 0.1 --sides 1"
add "calc proportions --a 300,2000 --b 255,2000 --help"
add "calc proportions --a 300,2000 --b 255,2000 --version"
add "calc proportions --a 300,2000"
add "calc proportions --a 300 --b 255,2000"
add "calc proportions --a x,y --b 255,2000"
add "calc proportions --a 300,2000 --b 255,2000 --alpha -0.1"
add "calc proportions --a 300,2000 --b 255,2000 --alpha=-0.1"
add "calc proportions --a 300,2000 --b 255,2000 --alpha 2"
add "calc proportions --a 300,2000 --b 255,2000 --sides 3"
add "calc proportions --a 300,2000 --b 255,2000 -alpha 0.1"
add "calc proportions --a 300,2000 --b 255,2000 extra"
add "calc proportions --a 300,2000 --b 255,2000 --json --json"
add "calc proportions --a 300,2000 --a 1,2 --b 255,2000"
add "calc chi2 --table 120,880;150,850"
add "calc srm --observed 500000,530700 --json"
add "calc fisher --table 500,10;10,500"
add "calc ttest --a 2,1.0,1.0 --b 3,2.0,1.5"
add "calc msprt --a 5000,3.0,1.5 --b 3000,3.08,1.9 --tau 0.05"
add "calc proprtions --a 300,2000 --b 255,2000"
add "plan --metric proportion --baseline 0.58 --mde 0.05 --variants 3"
add "plan --metric proportion --baseline 0.58"
add "validate experiments/gym-renewal.yaml"
add "validate"
add "assign --experiment experiments/gym-renewal.yaml --unit M-1001 --attr marketing_opt_in=true --attr membership_months=14 --attr status=active --attr checkins_90d=30"
add "analyze --experiment experiments/gym-renewal.yaml"

same=0
different=0
for entry in "${cases[@]}"; do
  for side in BEFORE AFTER; do
    # shellcheck disable=SC2086
    mkdir -p "$work/$side"
    "${!side}" $entry > "$work/$side/out" 2> "$work/$side/err" < /dev/null
    echo $? > "$work/$side/status"
  done
  if cmp -s "$work/BEFORE/out" "$work/AFTER/out" && cmp -s "$work/BEFORE/err" "$work/AFTER/err" \
    && cmp -s "$work/BEFORE/status" "$work/AFTER/status"; then
    same=$((same + 1))
  else
    different=$((different + 1))
    echo "DIFFERENT: strata $entry (status $(cat "$work/BEFORE/status") / $(cat "$work/AFTER/status"))"
    diff <(cat "$work/BEFORE/out" "$work/BEFORE/err") <(cat "$work/AFTER/out" "$work/AFTER/err") | head -10
  fi
done
echo "${#paths[@]} command paths, $((same + different)) cases: $same same, $different different"
[ $different -eq 0 ]
