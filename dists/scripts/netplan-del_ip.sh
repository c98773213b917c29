# shellcheck shell=sh
# DEL_IP for the netplan network stack (the renderer is in functions).
venet_netplan "$(venet_ips "$NETPLAN_CFG" del)"
exit 0
