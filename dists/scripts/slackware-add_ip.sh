# shellcheck shell=sh
# ADD_IP for the slackware network stack (the renderer is in functions).
venet_slackware "$(venet_ips "$SLACKWARE_CFG" add)"
exit 0
