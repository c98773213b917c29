# vzkit top-level build: CMake does the C++ work, this file ties the pieces together.
BUILD      ?= build
SANITIZE   ?= OFF
BUILD_TYPE ?= RelWithDebInfo
PREFIX     ?= /usr
DESTDIR    ?=
JOBS       ?= $(shell nproc)

.PHONY: all build deps templates check check-unit check-host check-integration check-vm fuzz demo install clean

all: build

deps:
	scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVZKIT_SANITIZE=$(SANITIZE) \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Template tarballs land in $(BUILD)/templates/cache, the layout vzctl create looks up.
templates: build
	templates/busybox/build.sh $(BUILD)/templates/cache

# The Debian 12 template (debootstrap; the .debs stay in $(BUILD)/templates/apt-cache
# so a rebuild downloads nothing). The networking and distribution tests boot it.
.PHONY: templates-debian
templates-debian:
	templates/debian/build.sh $(BUILD)/templates/cache $(BUILD)/templates/apt-cache

check: build templates templates-debian
	cd $(BUILD) && ctest --output-on-failure -j 2

# Pure tests: no root, nothing of the running kernel beyond a file system.
check-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

# Boost.Test cases against the live kernel (cgroups, namespaces, seccomp...): root.
check-host: build
	cd $(BUILD) && ctest --output-on-failure -L host

check-integration: build templates templates-debian
	cd $(BUILD) && ctest --output-on-failure -L integration

check-vm: build templates templates-debian
	cd $(BUILD) && ctest --output-on-failure -L vm

# The soak, full size: SOAK_CTS containers (50), SOAK_CYCLES start/exec/stop
# cycles (1000); `make check` runs 5 and 25 (docs/testing.md).
.PHONY: soak
soak: build templates
	VZKIT_BUILD=$(abspath $(BUILD)) VZKIT_SRC=$(CURDIR) bash tests/integration/t_soak.sh

# Every libFuzzer target for FUZZ_SECONDS each, in a clang build of its own
# ($(BUILD)/fuzz): the long run docs/testing.md reports (`make check` runs
# them 10 s each).
FUZZ_SECONDS ?= 600
fuzz:
	tests/fuzz/run.sh --build $(BUILD)/fuzz --seconds $(FUZZ_SECONDS)

demo: build templates
	BUILD=$(abspath $(BUILD)) scripts/demo.sh

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)
	scripts/install-config.sh "$(DESTDIR)" "$(BUILD)"

clean:
	rm -rf $(BUILD)

# The kernel module alone (also built by `make build` when headers are
# installed): KDIR=/lib/modules/<version>/build picks other headers.
KDIR ?=
.PHONY: kmod checkpatch
kmod:
	kmod/build.sh $(BUILD)/kmod $(KDIR)

# checkpatch.pl from Debian's linux-source-6.1, unpacked once under $(BUILD).
checkpatch:
	scripts/checkpatch-kmod.sh $(BUILD)

# Benchmarks against LXC, tar and the kernel without the module (bench/README.md):
# BENCH_ARGS="--quick" for a smoke run, or names of benchmarks.
BENCH_ARGS ?=
.PHONY: bench
bench: build templates
	BUILD=$(abspath $(BUILD)) bench/run $(BENCH_ARGS)

# The Debian packages vzkit and vzkit-dkms (docs/packaging.md), built by
# dpkg-buildpackage in a clean copy of this tree (its tracked and new files,
# not build directories) under $(BUILD)/deb/src; the .debs land in
# $(BUILD)/deb.
.PHONY: deb
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z -c -o --exclude-standard | \
		tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -b -us -uc -j$(JOBS)
	ls -l $(BUILD)/deb/*.deb

# The packages on a VM booted with systemd, twice on one disk
# (tests/vm/t_packaging.sh, docs/packaging.md): install with DKMS, two ONBOOT
# containers up in BOOTORDER after the reboot, systemctl stop vz, purge.
.PHONY: check-packaging
check-packaging: deb templates
	VZKIT_BUILD=$(abspath $(BUILD)) VZKIT_SRC=$(CURDIR) flock /tmp/vzkit-vm.lock \
		bash tests/vm/run-systemd.sh tests/vm/t_packaging.sh install reboot
