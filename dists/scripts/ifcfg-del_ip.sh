# shellcheck shell=sh
# DEL_IP for the ifcfg network stack (the renderer is in functions).
venet_ifcfg "$(venet_ips "$IFCFG_CFG" del)"
exit 0
