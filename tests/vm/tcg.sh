# shellcheck shell=bash
# Sourced by tests/vm/run.sh and tests/vm/run-systemd.sh: the -accel value of
# their QEMU.
#
# QEMU before 8.1 could, under multi-threaded TCG, run a translation of guest
# code that another vCPU was rewriting, and Linux rewrites its own code
# whenever ftrace, kprobes or jump labels switch (text_poke_bp): a guest
# crashed or locked up when the module's hooks went live while other tasks
# ran the hooked functions. What showed it, and what one thread costs, is in
# docs/testing.md ("The VM's QEMU"). Debian 12 ships QEMU 7.2.
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
