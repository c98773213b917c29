# shellcheck shell=sh
# ADD_IP for the ifcfg network stack (the renderer is in functions).
venet_ifcfg "$(venet_ips "$IFCFG_CFG" add)"
exit 0
