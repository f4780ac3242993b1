#!/usr/bin/env bash
# check_layers: a library module includes only its own layer and lower ones (DESIGN.md §1):
# core -> io -> text -> tok -> nn -> model -> train -> gen -> rl/eval/dist. Also: the library
# never writes to stdout or exits (no printf/std::cout/exit() in lib/).
set -u
: "${LMK_SRC:?}"
rank() {
    case $1 in
    core) echo 0 ;; io) echo 1 ;; text) echo 2 ;; tok) echo 3 ;; nn) echo 4 ;; model) echo 5 ;;
    train) echo 6 ;; gen) echo 7 ;; rl | eval | dist) echo 8 ;; *) echo 99 ;;
    esac
}
bad=0
for f in $(cd "$LMK_SRC" && find lib/lmk -name '*.h' -o -name '*.cpp' -o -name '*.inc'); do
    area=$(echo "$f" | cut -d/ -f3)
    mine=$(rank "$area")
    while IFS= read -r inc; do
        other=$(echo "$inc" | sed -E 's@.*"lmk/([a-z]+)/.*@\1@')
        theirs=$(rank "$other")
        if [ "$theirs" -gt "$mine" ] || { [ "$theirs" -eq "$mine" ] && [ "$other" != "$area" ]; }; then
            echo "layering: $f includes lmk/$other (layer $other is not below $area)"
            bad=1
        fi
    done < <(grep -E '^#include "lmk/' "$LMK_SRC/$f")
    # core/cli.cpp is the one place that prints --help to stdout (tool_main).
    [ "$f" = lib/lmk/core/cli.cpp ] && continue
    if grep -nE '(^|[^a-z_:])(printf|puts)\(|std::cout|[^_a-z]exit\(' "$LMK_SRC/$f" | grep -v 'fprintf(stderr\|// ' >/dev/null; then
        echo "library writes to stdout or exits: $f"
        grep -nE '(^|[^a-z_:])(printf|puts)\(|std::cout|[^_a-z]exit\(' "$LMK_SRC/$f" | grep -v 'fprintf(stderr\|// ' | head -3
        bad=1
    fi
done
exit $bad
