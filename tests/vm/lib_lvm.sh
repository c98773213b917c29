# shellcheck shell=bash
# LVM inside the VM (tests/vm/t_layout_lvm.sh, t_migrate_lvm.sh): there is no
# udev there, so LVM makes its device nodes and links itself; its config
# lives below the test's root. Source it after it_setup.
export LVM_SYSTEM_DIR="$IT_ROOT/lvm"
mkdir -p "$LVM_SYSTEM_DIR"
cat >"$LVM_SYSTEM_DIR/lvm.conf" <<'CONF'
devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 }
activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
global { locking_dir = "/run/lock/lvm" }
CONF
