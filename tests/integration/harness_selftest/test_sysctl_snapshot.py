"""The sysctl snapshot fixture (tests/harness/sysctl.py over tests/tools/sysctl-snapshot.py) puts back a
host key a test changed."""

import json

from harness import sysctl

KEY = '/proc/sys/vm/swappiness'


def read():
    with open(KEY) as handle:
        return handle.read().strip()


def write(value):
    with open(KEY, 'w') as handle:
        handle.write(value)


def test_restore_puts_back_a_changed_key(tmp_path):
    before = read()
    path = tmp_path / 'snapshot.json'
    sysctl.save(path)
    try:
        write('7' if before != '7' else '8')
        assert read() != before
        line = sysctl.restore(path)
        assert read() == before
        assert 'vm.swappiness' in line.split('host keys: ', 1)[-1].splitlines()[0].split(', '), line
        assert 'vm.swappiness' not in sysctl.restore(path), 'restored a key that had not changed'
    finally:
        write(before)  # whatever happened above, the machine keeps its value


def test_the_fixture_saves_the_writable_keys_but_not_network_ones(sysctl_snapshot):
    with open(str(sysctl_snapshot)) as handle:
        saved = json.load(handle)
    assert saved['vm/swappiness'].strip() == read()
    assert not any(key.startswith('net/') for key in saved)
