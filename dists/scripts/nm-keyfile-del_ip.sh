# shellcheck shell=sh
# DEL_IP for the nm-keyfile network stack (the renderer is in functions).
venet_nm "$(venet_ips "$NM_CFG" del)"
exit 0
