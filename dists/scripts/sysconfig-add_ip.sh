# shellcheck shell=sh
# ADD_IP for the sysconfig network stack (the renderer is in functions).
venet_sysconfig "$(venet_ips "$SYSCONFIG_CFG" add)"
exit 0
