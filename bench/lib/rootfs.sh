# shellcheck shell=bash
# The root file systems both sides run. Sourced by bench/run.
#
# - busybox-minimal (make templates): every container either side starts is
#   unpacked from this one archive.
# - debian-12-x86_64 (make templates-debian, templates/debian/): the project's
#   Debian template, 100+ MB unpacked, for the create metric. Its .tar.gz is
#   recompressed once into .tar.zst and .tar.xz in $BENCH_CACHE.

BUSYBOX_ARCHIVE="$BUILD/templates/cache/busybox-minimal.tar.gz"
BIG_NAME=debian-12-x86_64
BIG_GZ="$BUILD/templates/cache/$BIG_NAME.tar.gz"

busybox_archive() {
    [ -f "$BUSYBOX_ARCHIVE" ] || die "no $BUSYBOX_ARCHIVE (make templates BUILD=$BUILD)"
    echo "$BUSYBOX_ARCHIVE"
}

big_archive() {
    if [ "$1" = gz ]; then echo "$BIG_GZ"; else echo "$BENCH_CACHE/$BIG_NAME.tar.$1"; fi
}

# Makes (or finds up to date) the template in the three compressions. Returns
# non-zero with the reason in $BIG_ERROR when it cannot.
big_template() {
    local ext tmp
    BIG_ERROR=""
    if ! make -C "$SRC" -n templates-debian BUILD="$BUILD" >/dev/null 2>&1; then
        BIG_ERROR="the top-level Makefile has no templates-debian target"
        return 1
    fi
    log "making the $BIG_NAME template (make templates-debian: debootstrap, once)"
    if ! make -C "$SRC" templates-debian BUILD="$BUILD" >"$OUT/templates-debian.log" 2>&1; then
        BIG_ERROR="make templates-debian failed (log: $OUT/templates-debian.log)"
        return 1
    fi
    for ext in zst xz; do
        [ "$(big_archive $ext)" -nt "$BIG_GZ" ] && continue
        log "recompressing $BIG_NAME.tar.gz as .tar.$ext"
        tmp="$(big_archive $ext).tmp"
        if gzip -dc "$BIG_GZ" | compress_$ext >"$tmp"; then
            mv -f "$tmp" "$(big_archive $ext)"
        else
            rm -f "$tmp"
            # shellcheck disable=SC2034 # read by bench/metrics/create.sh
            BIG_ERROR="cannot recompress $BIG_GZ as .tar.$ext"
            return 1
        fi
    done
}

# Fast levels on all cores: the figures are about unpacking, not packing.
compress_zst() { zstd -q -T0 -3 -c; }
compress_xz() { xz -T0 -1 -c; }

big_describe() {
    local size entries
    size=$(gzip -dc "$BIG_GZ" | wc -c)
    entries=$(tar -tzf "$BIG_GZ" | wc -l)
    printf '%s (make templates-debian): %d MB as a tar, %s entries; archives: gz %d MB, zst %d MB, xz %d MB' \
        "$BIG_NAME" $((size / 1000000)) "$entries" \
        $(($(stat -c %s "$(big_archive gz)") / 1000000)) \
        $(($(stat -c %s "$(big_archive zst)") / 1000000)) \
        $(($(stat -c %s "$(big_archive xz)") / 1000000))
}
