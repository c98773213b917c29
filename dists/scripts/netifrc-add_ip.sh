# shellcheck shell=sh
# ADD_IP for the netifrc network stack (the renderer is in functions).
venet_netifrc "$(venet_ips "$NETIFRC_CFG" add)"
exit 0
