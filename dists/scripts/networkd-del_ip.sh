# shellcheck shell=sh
# DEL_IP for the networkd network stack (the renderer is in functions).
venet_networkd "$(venet_ips "$NETWORKD_CFG" del)"
exit 0
