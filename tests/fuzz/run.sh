#!/bin/bash
# tests/fuzz/run.sh [--build DIR] [--seconds N] [TARGET...]: builds the
# libFuzzer targets in a clang build of their own (DIR, default build/fuzz;
# ASan + UBSan) and runs each for N seconds (default 10: CI's bounded smoke;
# `--seconds 600` or more is the long run docs/testing.md reports). Every
# file under tests/fuzz/regressions/TARGET/ is replayed first. A crash leaves
# its input in DIR/artifacts/ and fails the run: once fixed, it belongs in
# regressions/. The corpus grows in DIR/corpus/TARGET across runs.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$SRC/tests/fuzz
BUILD=$SRC/build/fuzz
SECONDS_EACH=10
TARGETS=()
while (($#)); do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
    esac
done
ALL=$(sed -n 's/^set(VZKIT_FUZZ_TARGETS \(.*\))$/\1/p' "$HERE/CMakeLists.txt")
((${#TARGETS[@]})) || read -ra TARGETS <<< "$ALL"
for t in "${TARGETS[@]}"; do
    [[ " $ALL " == *" $t "* ]] || { echo "run.sh: no fuzz target '$t' (targets: $ALL)" >&2; exit 2; }
done
command -v clang++ >/dev/null || { echo "run.sh: clang++ is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }

if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    CC=clang CXX=clang++ cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVZKIT_FUZZ=ON \
        >"$BUILD.configure.log" 2>&1 || { cat "$BUILD.configure.log"; exit 1; }
fi
cmake --build "$BUILD" --target fuzz -j "$(nproc)" >"$BUILD.build.log" 2>&1 ||
    { tail -n 40 "$BUILD.build.log"; exit 1; }

# seeds TARGET DIR: the starting inputs, taken from the project's own files
# where it has them (samples, dists) and from tests/fuzz/seeds/ otherwise.
seeds() {
    local t=$1 dir=$2 stage
    mkdir -p "$dir"
    [[ -d $HERE/seeds/$t ]] && cp "$HERE/seeds/$t"/* "$dir"/
    case $t in
    config) cp "$SRC"/etc/vz.conf "$SRC"/etc/conf/* "$dir"/ 2>/dev/null ;;
    dist_definition) cp "$SRC"/dists/*.yaml "$dir"/ ;;
    template)
        # Archives that try every way out of the destination the unpacker
        # refuses: "..", an absolute name, a symlink then a write through it,
        # a hard link to outside; and a plain and a compressed one.
        stage=$(mktemp -d) || return 1
        mkdir -p "$stage/etc" && echo x >"$stage/x" && ln "$stage/x" "$stage/y" &&
            ln -s ../outside "$stage/link" && ln -s /etc/passwd "$stage/etc/passwd"
        tar -C "$stage" -cf "$dir/plain.tar" etc x y link
        tar -C "$stage" -czf "$dir/plain.tar.gz" etc x
        tar -C "$stage" -P --transform 's,^x$,../outside/x,' -cf "$dir/dotdot.tar" x y
        tar -C "$stage" -P --transform 's,^x$,/outside/x,' -cf "$dir/absolute.tar" x
        tar -C "$stage" -P --transform 's,^x$,link/x,' -cf "$dir/through_symlink.tar" link x
        rm -rf "$stage"
        ;;
    esac
}

FAILED=()
for t in "${TARGETS[@]}"; do
    bin=$BUILD/bin/fuzz_$t
    corpus=$BUILD/corpus/$t
    mkdir -p "$corpus" "$BUILD/artifacts" "$BUILD/seeds"
    rm -rf "$BUILD/seeds/$t" && seeds "$t" "$BUILD/seeds/$t"
    opts=(-artifact_prefix="$BUILD/artifacts/$t-" -timeout=10 -rss_limit_mb=2048 -max_len=65536)
    log=$BUILD/$t.log
    ok=1
    if compgen -G "$HERE/regressions/$t/*" >/dev/null; then
        "$bin" "${opts[@]}" "$HERE/regressions/$t"/* >"$log.regressions" 2>&1 || ok=0
        ((ok)) || { echo "fuzz $t: a regression input fails again:"; tail -n 30 "$log.regressions"; }
    fi
    if ((ok)); then
        "$bin" "${opts[@]}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
            "$corpus" "$BUILD/seeds/$t" >"$log" 2>&1 || ok=0
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        if ((ok)); then
            echo "fuzz $t: ${runs:-?} inputs in ${SECONDS_EACH}s, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l), no crash"
        else
            echo "fuzz $t: FAILED after ${runs:-?} inputs; its input is in $BUILD/artifacts/:"
            grep -A 25 -m 1 'ERROR: \|property broken\|deadly signal\|uncaught' "$log" | head -n 40
        fi
    fi
    ((ok)) || FAILED+=("$t")
done
rm -rf /tmp/vzkit-fuzz-template.*
if ((${#FAILED[@]})); then
    echo "fuzz: ${#FAILED[@]} of ${#TARGETS[@]} targets failed: ${FAILED[*]}"
    exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECONDS_EACH}s each, no crash"
