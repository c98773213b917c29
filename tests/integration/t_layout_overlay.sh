#!/bin/bash
# The overlay layout (issue 14): two containers over one read-only base, a
# write in one invisible in the other and in the base; destroy; template gc
# keeping a used base and removing an unused one; concurrent creates
# unpacking once; a failed or killed unpack leaving no half-made base; the
# container's root planting symlinks to host paths in its upper directory,
# then destroy, gc and vzlist following none; the base's page cache shared
# (measured with fincore against two simfs copies).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
CT1=2401 CT2=2402 CT3=2403
it_ct $CT1
it_ct $CT2
it_ct $CT3
STORE="$IT_ROOT/vz/template/base"
CACHE="$IT_ROOT/vz/template/cache"
PRIV1="$IT_ROOT/vz/private/$CT1" PRIV2="$IT_ROOT/vz/private/$CT2"
ROOT1="$IT_ROOT/vz/root/$CT1"
# The bases in the store (names not starting with a dot), one a line.
bases() { find "$STORE" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' 2>/dev/null | sort; }
leftovers() { find "$STORE" -mindepth 1 -maxdepth 1 -name '.tmp-*' -o -mindepth 1 -maxdepth 1 -name '.gc-*' 2>/dev/null; }
count_lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }
# Every base of the store is complete: root/ and info (written before the rename).
bases_complete() {
    local b
    for b in $(bases); do [ -d "$STORE/$b/root" ] && [ -f "$STORE/$b/info" ] || return 1; done
}

# ---- create: one base, two private areas of changes only --------------------
expect_rc 0 "create --layout overlay" -- "$VZCTL" create $CT1 --ostemplate busybox-minimal --layout overlay
assert_contains "$OUT" "Unpacking the template busybox-minimal into its shared base" "the first create unpacks the base"
assert_contains "$(cat "$VZ_CONFDIR/conf/$CT1.conf")" 'VE_LAYOUT="overlay"' "VE_LAYOUT saved"
BASE=$(bases)
assert_eq "$(count_lines "$BASE")" 1 "one base in the store ($BASE)"
assert_true "the base is the unpacked template" -- test -x "$STORE/$BASE/root/bin/busybox"
assert_eq "$(stat -c '%u:%g %a' "$STORE" "$STORE/$BASE" | tr '\n' ' ')" "0:0 700 0:0 700 " \
    "the store and the base are root's, mode 700"
assert_eq "$(cat "$PRIV1/base")" "$BASE" "the private area names its base"
assert_eq "$(find "$PRIV1/upper" | wc -l)" 1 "the upper directory starts empty"
assert_eq "$(stat -c '%u:%g %a' "$PRIV1/upper")" "$(stat -c '%u:%g %a' "$STORE/$BASE/root")" \
    "the upper directory's root looks as the template's /"
expect_rc 0 "second create from the same template" -- "$VZCTL" create $CT2 --ostemplate busybox-minimal --layout overlay
assert_not_contains "$OUT" "Unpacking" "the second create does not unpack"
assert_eq "$(bases)" "$BASE" "still one base"
expect_rc 0 "vzlist -o layout" -- "$VZLIST" -H -a -o ctid,layout
assert_contains "$(echo "$OUT" | tr -s ' ')" " $CT1 overlay" "vzlist shows the layout"
expect_rc 0 "vzlist -o layout,ctid" -- "$VZLIST" -H -o layout,ctid $CT1
assert_eq "$(echo "$OUT" | tr -s ' ')" "overlay $CT1" "not cut when another column follows"
expect_rc 0 "template list" -- "$VZCTL" template list
assert_eq "$OUT" "$BASE current $CT1,$CT2" "template list: the base, current, its two users"
expect_rc 20 "template with a bad word" -- "$VZCTL" template prune
assert_contains "$OUT" "Usage: vzctl template list | gc" "one line saying how"

# ---- bad input: one line, nothing made --------------------------------------
expect_rc 99 "create --layout bogus" -- "$VZCTL" create 2409 --ostemplate busybox-minimal --layout bogus
assert_contains "$OUT" "Layout bogus is not supported" "says so"
expect_rc 48 "a private area overlayfs cannot name" -- \
    "$VZCTL" create 2409 --ostemplate busybox-minimal --layout overlay --private "$IT_ROOT/vz/private/a,b"
assert_contains "$OUT" "which overlayfs cannot take" "says why"
assert_false "nothing made" -- any_test -e "$IT_ROOT/vz/private/a,b" "$IT_ROOT/vz/private/a,b.tmp" "$VZ_CONFDIR/conf/2409.conf"

# ---- two containers, one base ---------------------------------------------
SUM_BASE=$(cd "$STORE/$BASE/root" && find . -type f -exec sha256sum {} + | sort -k2 | sha256sum)
STAT_BB=$(stat -c '%a %u %Y %s' "$STORE/$BASE/root/bin/busybox")
expect_rc 0 "start CT1" -- "$VZCTL" start $CT1
expect_rc 0 "start CT2" -- "$VZCTL" start $CT2
wait_running $CT1 || fail "CT1 did not come up"
wait_running $CT2 || fail "CT2 did not come up"
assert_eq "$(awk -v r="$ROOT1" '$2 == r {print $3}' /proc/mounts)" "overlay" "VE_ROOT is an overlay mount"
MOPTS=$(awk -v r="$ROOT1" '$2 == r {print $4}' /proc/mounts)
assert_contains "$MOPTS" "lowerdir=$STORE/$BASE/root" "over the base"
# Neither redirects nor metacopy (the kernel lists an option only when it is not its default).
assert_not_contains "$MOPTS" "redirect_dir=on" "no redirects made"
assert_not_contains "$MOPTS" "redirect_dir=follow" "nor followed"
assert_not_contains "$MOPTS" "metacopy=on" "no metacopy"
expect_rc 0 "CT1 writes a new file and changes a base file" -- \
    "$VZCTL" exec2 $CT1 'echo one > /etc/only-in-ct1 && echo changed >> /etc/passwd && rm /etc/inittab'
assert_eq "$("$VZCTL" exec2 $CT1 cat /etc/only-in-ct1)" "one" "CT1 reads its file"
assert_false "CT2 does not see CT1's new file" -- "$VZCTL" exec2 $CT2 test -e /etc/only-in-ct1
assert_not_contains "$("$VZCTL" exec2 $CT2 cat /etc/passwd)" "changed" "CT2's /etc/passwd is the template's"
assert_true "CT2 still has the file CT1 removed" -- "$VZCTL" exec2 $CT2 test -f /etc/inittab
assert_true "the base still has it" -- test -f "$STORE/$BASE/root/etc/inittab"
assert_true "CT1's changes are in its upper directory" -- test -f "$PRIV1/upper/etc/only-in-ct1"
assert_eq "$(stat -c %F "$PRIV1/upper/etc/inittab")" "character special file" "the removal is a whiteout in CT1's upper"

# ---- the base cannot be changed from inside ---------------------------------
# CT root tries: rewrite, chmod, truncate a base file, and reach the store.
"$VZCTL" exec2 $CT1 'chmod 777 /bin/busybox; touch /bin/busybox; : > /etc/group; echo x > /bin/newfile' >/dev/null 2>&1
"$VZCTL" exec2 $CT1 "ls $STORE; cat $STORE/$BASE/info; echo x > $STORE/$BASE/root/etc/group" >/dev/null 2>&1
assert_false "the store is not visible inside" -- "$VZCTL" exec2 $CT1 test -e "$STORE"
assert_eq "$(stat -c '%a %u %Y %s' "$STORE/$BASE/root/bin/busybox")" "$STAT_BB" "the base's busybox: mode, owner, mtime, size unchanged"
assert_eq "$(cd "$STORE/$BASE/root" && find . -type f -exec sha256sum {} + | sort -k2 | sha256sum)" "$SUM_BASE" \
    "every base file unchanged (sha256) after CT root's writes"
assert_false "no new file in the base" -- test -e "$STORE/$BASE/root/bin/newfile"
assert_true "the writes went to CT1's upper" -- test -e "$PRIV1/upper/bin/newfile"
assert_false "and not to CT2's" -- test -e "$PRIV2/upper/bin/newfile"
assert_false "CT2 sees none of them" -- "$VZCTL" exec2 $CT2 test -e /bin/newfile

# ---- page cache: a base file cached once for both containers ----------------
# A template with a 16 MB file no process maps: two overlay containers over
# its base read it inside, then fincore counts its pages. overlayfs reads go
# to the lower file, so the second read caches nothing more; two simfs
# containers of the same template hold two copies, each cached apart.
BLOBSRC="$IT_ROOT/blobsrc"
mkdir -p "$BLOBSRC"
tar -xzf "$TEMPLATE_CACHE/busybox-minimal.tar.gz" -C "$BLOBSRC"
head -c $((16 << 20)) /dev/urandom > "$BLOBSRC/blob"
tar -czf "$CACHE/blob.tar.gz" -C "$BLOBSRC" .
rm -rf "$BLOBSRC"
CT4=2404 CT5=2405 CT6=2406
it_ct $CT4
it_ct $CT5
it_ct $CT6
pages() { fincore -n -b -o RES "$1" 2>/dev/null | tr -d ' '; }
cached_kb() { awk '$1 == "Cached:" { print $2 }' /proc/meminfo; }
for ct in $CT4 $CT5; do
    expect_rc 0 "create overlay CT $ct from the blob template" -- "$VZCTL" create "$ct" --ostemplate blob --layout overlay
    expect_rc 0 "start it" -- "$VZCTL" start "$ct"
    wait_running "$ct" || fail "CT $ct did not come up"
done
BLOB="$STORE/$(cat "$IT_ROOT/vz/private/$CT4/base")/root/blob"
SIZE=$(stat -c %s "$BLOB")
dd if="$BLOB" iflag=nocache count=0 status=none
R0=$(pages "$BLOB") C0=$(cached_kb)
"$VZCTL" exec2 $CT4 'cat /blob >/dev/null'
R1=$(pages "$BLOB") C1=$(cached_kb)
"$VZCTL" exec2 $CT5 'cat /blob >/dev/null'
R2=$(pages "$BLOB") C2=$(cached_kb)
echo "  base blob: $SIZE bytes; resident evicted $R0, after CT $CT4 read it $R1, after CT $CT5 did $R2;" \
    "Cached +$((C1 - C0)) kB, then +$((C2 - C1)) kB"
# Within 10 %: the host's reclaim may take a few pages back between the reads.
near_size() { in_range "$1" $((SIZE * 9 / 10)) "$SIZE"; }
assert_eq "$R0" 0 "evicted"
assert_true "CT $CT4's read cached the base file ($R1 of $SIZE)" -- near_size "$R1"
assert_true "after CT $CT5's read it is still that one copy ($R2)" -- near_size "$R2"
assert_true "CT $CT5's read added no copy: Cached +$((C2 - C1)) kB, less than half the file" -- \
    test $((C2 - C1)) -lt $((SIZE / 2048))
assert_false "neither upper has a copy" -- any_test -e "$IT_ROOT/vz/private/$CT4/upper/blob" "$IT_ROOT/vz/private/$CT5/upper/blob"
# Contrast: two simfs containers, two copies, each cached apart.
RS=""
for ct in $CT3 $CT6; do
    expect_rc 0 "create simfs CT $ct from the blob template" -- "$VZCTL" create "$ct" --ostemplate blob --layout simfs
    dd if="$IT_ROOT/vz/private/$ct/blob" iflag=nocache count=0 status=none
    expect_rc 0 "mount it" -- "$VZCTL" mount "$ct"
    cat "$IT_ROOT/vz/root/$ct/blob" >/dev/null
    RS="$RS $(pages "$IT_ROOT/vz/private/$ct/blob")"
done
echo "  simfs: the two copies' resident bytes:$RS; overlay's one base file $R2"
for r in $RS; do assert_true "each simfs container caches its own copy ($r)" -- near_size "$r"; done
for ct in $CT3 $CT6; do "$VZCTL" --quiet umount "$ct"; "$VZCTL" --quiet destroy "$ct"; done
for ct in $CT4 $CT5; do "$VZCTL" --quiet stop "$ct" --fast; "$VZCTL" --quiet destroy "$ct"; done
expect_rc 0 "gc the blob base" -- "$VZCTL" template gc
assert_eq "$(bases)" "$BASE" "only the busybox base is left"

# ---- attack: CT root plants symlinks to host paths in its upper ------------
VICTIM="$IT_ROOT/victim"
mkdir -p "$VICTIM/dir"
echo keep > "$VICTIM/file"
echo keep > "$VICTIM/dir/file"
"$VZCTL" exec2 $CT1 "ln -s $VICTIM /victim-dir; ln -s $VICTIM/file /victim-file; \
    ln -s / /hostroot; mkdir -p /deep/a/b; ln -s $VICTIM/dir /deep/a/b/c; \
    ln -s ../../../../../../../../../$VICTIM /deep/a/rel" >/dev/null 2>&1
assert_true "the symlinks are in CT1's upper" -- test -L "$PRIV1/upper/deep/a/b/c"
expect_rc 0 "vzlist diskspace with the symlinks there" -- "$VZLIST" -H -o ctid,diskspace $CT1
expect_rc 0 "stop CT1" -- "$VZCTL" stop $CT1 --fast
expect_rc 0 "stop CT2" -- "$VZCTL" stop $CT2 --fast
assert_false "VE_ROOT unmounted" -- mountpoint -q "$ROOT1"
expect_rc 0 "gc with both containers there" -- "$VZCTL" template gc
assert_eq "$(bases)" "$BASE" "gc keeps a used base"

expect_rc 0 "destroy CT1" -- "$VZCTL" destroy $CT1
assert_false "CT1's private area gone" -- test -e "$PRIV1"
assert_eq "$(cat "$VICTIM/file" "$VICTIM/dir/file" | tr '\n' ' ')" "keep keep " "destroy followed no symlink: the host's files are there"
assert_eq "$(bases)" "$BASE" "destroy keeps the base CT2 uses"
assert_eq "$("$VZCTL" template list)" "$BASE current $CT2" "template list: CT2 alone"
expect_rc 0 "gc with CT2 there" -- "$VZCTL" template gc
assert_eq "$(bases)" "$BASE" "gc keeps the base CT2 uses"

# A mounted container counts even without a config naming it.
expect_rc 0 "mount CT2" -- "$VZCTL" mount $CT2
mv "$VZ_CONFDIR/conf/$CT2.conf" "$IT_ROOT/ct2.conf.away"
expect_rc 0 "gc with CT2's config gone, its overlay mounted" -- "$VZCTL" template gc
assert_eq "$(bases)" "$BASE" "gc keeps a base an overlay mount uses"
mv "$IT_ROOT/ct2.conf.away" "$VZ_CONFDIR/conf/$CT2.conf"
expect_rc 0 "umount CT2" -- "$VZCTL" umount $CT2

expect_rc 0 "destroy CT2" -- "$VZCTL" destroy $CT2
assert_eq "$(bases)" "$BASE" "a current base outlives its last user (the next create needs no unpack)"
expect_rc 0 "gc" -- "$VZCTL" template gc
assert_contains "$OUT" "Removed template base $BASE" "gc says what it removed"
assert_eq "$(bases)" "" "gc removes the unused base"
assert_eq "$(cat "$VICTIM/file" "$VICTIM/dir/file" | tr '\n' ' ')" "keep keep " "the host's files are still there"

# ---- a stale base goes with its last user ---------------------------------
expect_rc 0 "create from a copy of the template" -- bash -c \
    "cp '$TEMPLATE_CACHE/busybox-minimal.tar.gz' '$CACHE/stale.tar.gz' && '$VZCTL' --quiet create $CT1 --ostemplate stale --layout overlay"
STALE=$(bases)
touch -d '2001-01-01' "$CACHE/stale.tar.gz"
assert_eq "$("$VZCTL" template list)" "$STALE stale $CT1" "a changed tarball makes the base stale"
expect_rc 0 "destroy its last user" -- "$VZCTL" destroy $CT1
assert_eq "$(bases)" "" "a stale base is removed with its last user"

# ---- VE_LAYOUT in vz.conf ----------------------------------------------------
sed -i 's/^VE_LAYOUT=.*/VE_LAYOUT=overlay/' "$VZ_CONFDIR/vz.conf"
expect_rc 0 "create with VE_LAYOUT=overlay in vz.conf" -- "$VZCTL" create $CT1 --ostemplate busybox-minimal
assert_true "an overlay private area" -- test -d "$PRIV1/upper"
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT1

# ---- concurrent creates unpack once ------------------------------------------
"$VZCTL" template gc >/dev/null 2>&1
PIDS=""
for ct in 2411 2412 2413 2414; do
    it_ct $ct
    "$VZCTL" create $ct --ostemplate busybox-minimal >"$IT_ROOT/create.$ct" 2>&1 &
    PIDS="$PIDS $!"
done
RCS=""
for p in $PIDS; do wait "$p"; RCS="$RCS$? "; done
assert_eq "$RCS" "0 0 0 0 " "four concurrent creates succeed"
assert_eq "$(cat "$IT_ROOT"/create.24* | grep -c Unpacking)" 1 "the base was unpacked once"
assert_eq "$(count_lines "$(bases)")" 1 "one base"
assert_eq "$(leftovers)" "" "no temporary left"
assert_eq "$("$VZCTL" template list | cut -d' ' -f3)" "2411,2412,2413,2414" "four users"
for ct in 2411 2412 2413 2414; do "$VZCTL" --quiet destroy $ct; done
expect_rc 0 "gc" -- "$VZCTL" template gc

# ---- failures halfway leave no half-made base --------------------------------
head -c 300000 "$TEMPLATE_CACHE/busybox-minimal.tar.gz" > "$CACHE/broken.tar.gz"
OUT=$("$VZCTL" create $CT1 --ostemplate broken --layout overlay 2>&1); rc=$?
assert_true "create from a truncated template fails ($rc: $(echo "$OUT" | tail -1))" -- test "$rc" -ne 0
assert_eq "$(bases)" "" "no base"
assert_eq "$(leftovers)" "" "no temporary"
assert_false "no private area" -- test -e "$PRIV1"
assert_false "no config" -- test -e "$VZ_CONFDIR/conf/$CT1.conf"
# Killed mid-unpack: a template of many files, create killed after 0.3 s.
# Whatever the moment, a base that exists is complete; the next create
# removes the temporary and succeeds.
BIG="$IT_ROOT/bigsrc"
mkdir -p "$BIG"
tar -xzf "$TEMPLATE_CACHE/busybox-minimal.tar.gz" -C "$BIG"
mkdir -p "$BIG/many"
(cd "$BIG/many" && seq 1 30000 | xargs touch)
tar -czf "$CACHE/many.tar.gz" -C "$BIG" .
rm -rf "$BIG"
"$VZCTL" create $CT1 --ostemplate many --layout overlay >/dev/null 2>&1 &
KPID=$!
sleep 0.3
kill -9 $KPID 2>/dev/null
wait $KPID 2>/dev/null
echo "  after the kill: $(bases | tr '\n' ' ') $(leftovers | xargs -r -n1 basename | tr '\n' ' ')"
assert_true "every base in the store is complete" -- bases_complete
expect_rc 0 "the next create succeeds" -- "$VZCTL" create $CT1 --ostemplate many --layout overlay
assert_eq "$(leftovers)" "" "and no temporary is left"
assert_true "every base complete" -- bases_complete
assert_eq "$(find "$STORE/$(bases)/root/many" -type f | wc -l)" 30000 "the base has every file"
expect_rc 0 "destroy" -- "$VZCTL" destroy $CT1
expect_rc 0 "gc" -- "$VZCTL" template gc
assert_eq "$(bases)" "" "store empty"
