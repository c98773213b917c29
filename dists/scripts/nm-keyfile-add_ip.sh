# shellcheck shell=sh
# ADD_IP for the nm-keyfile network stack (the renderer is in functions).
venet_nm "$(venet_ips "$NM_CFG" add)"
exit 0
