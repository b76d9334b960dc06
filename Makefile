# The commands of the README. Each does its own set-up on a fresh machine:
# npm dependencies (Node 24 included) and, for the tests, the external tools.
.PHONY: quick demo test setup

# Tools a run needs (chromium: the cookie-size probe in a real browser), and
# those the suite adds (haproxy: the abuse suite's reference; the container
# engine and its base image: the container tests); `lab setup` reports the rest.
RUN_TOOLS := redis-server,hazelcast,toxiproxy-server,chromium
REQUIRED_TOOLS := $(RUN_TOOLS),haproxy,dockerd,debootstrap,container-base,docker-compose

# The first command of the README: a comparative run of every strategy with a
# node killed mid-load; `lab run` prints where report.html and report.md are.
quick: node_modules/.deps-stamp
	npx lab setup --require $(RUN_TOOLS)
	npx lab run quick

demo: node_modules/.deps-stamp
	npx lab demo

test: node_modules/.deps-stamp setup
	npm test

setup: node_modules/.deps-stamp
	npx lab setup --require $(REQUIRED_TOOLS)

node_modules/.deps-stamp: package.json package-lock.json
	npm ci
	touch $@
