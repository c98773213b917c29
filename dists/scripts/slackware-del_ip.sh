# shellcheck shell=sh
# DEL_IP for the slackware network stack (the renderer is in functions).
venet_slackware "$(venet_ips "$SLACKWARE_CFG" del)"
exit 0
