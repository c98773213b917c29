# shellcheck shell=sh
# ADD_IP for the networkd network stack (the renderer is in functions).
venet_networkd "$(venet_ips "$NETWORKD_CFG" add)"
exit 0
