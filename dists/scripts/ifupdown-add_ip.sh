# shellcheck shell=sh
# ADD_IP for the ifupdown network stack (the renderer is in functions).
venet_ifupdown "$(venet_ips "$IFUPDOWN_CFG" add)"
exit 0
