# shellcheck shell=sh
# DEL_IP for the netifrc network stack (the renderer is in functions).
venet_netifrc "$(venet_ips "$NETIFRC_CFG" del)"
exit 0
