"""The one test harness of gocompat.baseline: what unit, integration, scenario and playbook tests share.

  paths        the checkout, the collections path, the cache dir, ansible-playbook and its environment
  docker       Container (network none) and start_container; the `container` factory fixture lives in fixtures
  mirror       the local go.dev-style Go mirror (tests/tools/go-mirror.py): build, serve, an index of one's own
  run_module   run one module through ansible-playbook on localhost or in a container, get its JSON result
  playbook     run a whole playbook from a chosen ansible-core venv against Containers; PlaybookRun with the recap
  fleet        N network-less containers reached over real SSH (sshd -i through docker exec) as deploy with sudo
  mountns      run a command in a private mount namespace (mounts made there never reach this machine)
  sysctl       snapshot and restore of this machine's kernel parameters (tests/tools/sysctl-snapshot.py)
  processes    runs in a PID namespace of their own, kill_run, wait_for
  proxy        a loopback-only HTTP proxy that records what it relays
  trees        the tree walk behind every "nothing changed" fingerprint
  rooted_host  a real module_base.Host whose absolute paths live under a test directory (unit tests)
  fixtures     the pytest fixtures over all of the above; a layer's conftest.py imports the ones it uses
"""
