# shellcheck shell=bash
# Sourced by tests/vm/run.sh and tests/vm/run-systemd.sh: the -accel value of
# their QEMU.
#
# QEMU before 8.1 could, under multi-threaded TCG, run a translation of guest
# code that another vCPU was rewriting (fixed in 8.1 by "accel/tcg: Always
# lock pages before translation"). Linux rewrites its own code at run time
# (text_poke_bp: ftrace and kprobes being switched on, jump labels), so in
# such a guest a module's ftrace hooks registered while other tasks run the
# hooked functions crash the kernel: a return to address 0 from a traced
# function, or both CPUs stuck. The kernel's own tracers switched on and off
# through tracefs, with no module at all, lock the guest up the same way;
# with one TCG thread neither ever happened (docs/testing.md, "The VM's
# QEMU"). Debian 12 ships QEMU 7.2.
#
# VZKIT_VM_TCG_THREAD=single|multi overrides the choice.
vm_tcg_accel() {
  local want=${VZKIT_VM_TCG_THREAD:-} ver major minor
  if [ -z "$want" ]; then
    ver=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    read -r major minor <<<"${ver:-0 0}"
    if [ "$major" -gt 8 ] || { [ "$major" -eq 8 ] && [ "$minor" -ge 1 ]; }; then
      want=multi
    else
      want=single
    fi
  fi
  case $want in
    single | multi) echo "tcg,thread=$want" ;;
    *) echo "VZKIT_VM_TCG_THREAD must be single or multi, not '$want'" >&2; return 2 ;;
  esac
}
