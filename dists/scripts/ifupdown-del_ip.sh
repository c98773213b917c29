# shellcheck shell=sh
# DEL_IP for the ifupdown network stack (the renderer is in functions).
venet_ifupdown "$(venet_ips "$IFUPDOWN_CFG" del)"
exit 0
