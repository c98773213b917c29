# shellcheck shell=sh
# DEL_IP for the sysconfig network stack (the renderer is in functions).
venet_sysconfig "$(venet_ips "$SYSCONFIG_CFG" del)"
exit 0
