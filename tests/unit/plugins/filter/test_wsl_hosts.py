# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.filter import wsl_hosts as plugin
from ansible_collections.gocompat.baseline.plugins.filter.wsl_hosts import wsl_hosts


def test_filter_is_registered_under_its_name():
    assert plugin.FilterModule().filters() == {'wsl_hosts': wsl_hosts}


def test_lines_are_canonical():
    assert wsl_hosts([{'address': ' 127.0.0.1 ', 'names': ['localhost', 'Dev-Box.local.']},
                      {'address': '0:0:0:0:0:0:0:1', 'names': ['localhost', 'ip6-localhost']},
                      {'address': '127.0.1.1', 'names': ['myhost']}]) == [
        '127.0.0.1\tlocalhost Dev-Box.local', '::1\tlocalhost ip6-localhost', '127.0.1.1\tmyhost']
    assert wsl_hosts([]) == []


@pytest.mark.parametrize('entries, words', [
    ([{'address': '10.0.0.1', 'names': ['localhost']}], 'entry 1: localhost may only name a loopback address'),
    ([{'address': '127.0.0.1', 'names': ['ok']}, {'address': '::2', 'names': ['Localhost']}], 'entry 2'),
    ([{'address': '300.1.1.1', 'names': ['x']}], 'not an IPv4 or IPv6 address'),
    ([{'address': '127.1', 'names': ['x']}], 'not an IPv4 or IPv6 address'),
    ([{'address': '127.0.0.1', 'names': []}], 'non-empty list'),
    ([{'address': '127.0.0.1', 'names': 'localhost'}], 'non-empty list'),
    ([{'address': '127.0.0.1', 'names': ['bad name']}], "'bad name' is not a host name"),
    ([{'address': '127.0.0.1', 'names': ['-x']}], 'not a host name'),
    ([{'address': '127.0.0.1', 'names': [5]}], 'must be a string'),
    ([{'address': '127.0.0.1'}], 'exactly the keys'),
    (['127.0.0.1 localhost'], 'exactly the keys'),
    ({'address': '127.0.0.1'}, 'expects a list'),
])
def test_invalid_entries_are_named(entries, words):
    with pytest.raises(AnsibleFilterError) as err:
        wsl_hosts(entries)
    assert words in str(err.value)
