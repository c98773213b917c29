# vzkit top-level build: CMake does the C++ work, this file ties the pieces together.
BUILD      ?= build
SANITIZE   ?= OFF
BUILD_TYPE ?= RelWithDebInfo
PREFIX     ?= /usr
DESTDIR    ?=
JOBS       ?= $(shell nproc)

.PHONY: all build deps templates check check-unit check-integration check-vm demo install clean

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

check: build templates
	cd $(BUILD) && ctest --output-on-failure -j 1

check-unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

check-integration: build templates
	cd $(BUILD) && ctest --output-on-failure -L integration

check-vm: build templates
	cd $(BUILD) && ctest --output-on-failure -L vm

demo: build templates
	BUILD=$(abspath $(BUILD)) scripts/demo.sh

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)
	scripts/install-config.sh "$(DESTDIR)" "$(BUILD)"

clean:
	rm -rf $(BUILD)
