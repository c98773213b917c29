#!/bin/sh
# Installs every Debian 12 package vzkit needs to build, test (host and VM) and run.
set -eu
# libacl1-dev ... libxml2-dev: the static archives libarchive's own static
# archive needs, for the source build's static tools (VZKIT_STATIC).
PACKAGES="
  build-essential cmake pkg-config
  libboost-test-dev libyaml-cpp-dev
  libarchive-dev libcap-dev libseccomp-dev
  libacl1-dev liblz4-dev libzstd-dev libbz2-dev liblzma-dev zlib1g-dev nettle-dev libxml2-dev
  busybox-static iproute2 procps util-linux psmisc kmod debootstrap
  zstd xz-utils bzip2 gzip tar attr acl libcap2-bin
  e2fsprogs xfsprogs quota
  lvm2 liblvm2-dev thin-provisioning-tools
  qemu-system-x86 linux-image-amd64 cpio
  linux-headers-amd64 linux-source-6.1
  shellcheck lxcfs
  groff-base man-db bash-completion
  libvirt-clients
  criu nftables
  rsync openssh-client openssh-server
  prometheus prometheus-node-exporter
  clang
  debhelper dh-dkms dkms lintian
"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # split: one package a word
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "install-deps: all packages present"
fi
