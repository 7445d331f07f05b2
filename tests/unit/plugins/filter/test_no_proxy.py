# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.filter import no_proxy as plugin
from ansible_collections.gocompat.baseline.plugins.filter.no_proxy import no_proxy


def test_filter_is_registered_under_its_name():
    assert plugin.FilterModule().filters() == {'no_proxy': no_proxy}


@pytest.mark.parametrize('entry, expected', [
    # host names, lowercased, trailing dot dropped
    ('localhost', 'localhost'),
    ('Example.COM', 'example.com'),
    ('example.com.', 'example.com'),
    ('my_host.internal', 'my_host.internal'),
    ('a-b.example', 'a-b.example'),
    ('  spaced.example  ', 'spaced.example'),
    # domain suffixes; *.domain is the same as .domain for Go's httpproxy
    ('.example.com', '.example.com'),
    ('*.Example.com', '.example.com'),
    ('*.example.com:8443', '.example.com:8443'),
    # IPv4 and IPv6 addresses
    ('10.1.2.3', '10.1.2.3'),
    ('::1', '::1'),
    ('FE80:0000::0001', 'fe80::1'),
    ('[::1]', '::1'),
    ('::ffff:192.0.2.1', '::ffff:192.0.2.1'),
    # CIDR blocks normalised to the network address
    ('10.1.2.3/8', '10.0.0.0/8'),
    ('192.168.1.77/24', '192.168.1.0/24'),
    ('10.0.0.0/8', '10.0.0.0/8'),
    ('0.0.0.0/0', '0.0.0.0/0'),
    ('1.2.3.4/32', '1.2.3.4/32'),
    ('FD00::1/8', 'fd00::/8'),
    ('2001:DB8:0:1::5/64', '2001:db8:0:1::/64'),
    # host:port
    ('registry.local:5000', 'registry.local:5000'),
    ('10.0.0.1:8080', '10.0.0.1:8080'),
    ('[FD00::1]:443', '[fd00::1]:443'),
    ('example.com:0080', 'example.com:80'),
    # everything
    ('*', '*'),
    # internationalised names become punycode (as Go's httpproxy compares them)
    (u'b\u00fccher.example', 'xn--bcher-kva.example'),
])
def test_single_entries_are_normalised(entry, expected):
    assert no_proxy([entry]) == expected


def test_list_is_joined_in_order():
    entries = ['Localhost', '*.corp.example', '10.1.2.3/8', '::1', 'registry.local:5000']
    assert no_proxy(entries) == 'localhost,.corp.example,10.0.0.0/8,::1,registry.local:5000'


def test_comma_string_is_accepted():
    assert no_proxy('localhost, 127.0.0.1 ,.svc') == 'localhost,127.0.0.1,.svc'


def test_list_elements_may_hold_several_entries():
    assert no_proxy(['a.example,b.example', 'c.example']) == 'a.example,b.example,c.example'


def test_tuple_is_accepted():
    assert no_proxy(('a.example', 'b.example')) == 'a.example,b.example'


def test_duplicates_after_normalisation_keep_the_first_position():
    entries = ['b.example', '*.a.example', 'B.EXAMPLE', '.a.example', '10.9.9.9/8', '10.0.0.0/8', 'b.example.']
    assert no_proxy(entries) == 'b.example,.a.example,10.0.0.0/8'


def test_host_and_suffix_are_different_entries():
    # Go: "example.com" matches example.com and its subdomains, ".example.com" only subdomains.
    assert no_proxy(['example.com', '.example.com']) == 'example.com,.example.com'


@pytest.mark.parametrize('value', [[], '', '   '])
def test_no_entries_give_an_empty_string(value):
    assert no_proxy(value) == ''


@pytest.mark.parametrize('entry, reason', [
    ('300.1.1.1', 'not a valid IPv4 address'),
    ('1.2.3', 'not a valid IPv4 address'),
    ('1.2.3.4.5', 'not a valid IPv4 address'),
    ('010.1.1.1', 'not a valid IPv4 address'),
    ('300.1.1.1:80', 'not a valid IPv4 address'),
    ('10.0.0.0/33', 'longer than 32 bits'),
    ('fd00::/129', 'longer than 128 bits'),
    ('10.0.0.0/', 'prefix length'),
    ('10.0.0.0/x', 'prefix length'),
    ('10.0.0.0/8:80', 'prefix length'),
    ('example.com/8', 'not a valid IPv4 address'),
    ('gggg::1', 'not a valid IPv6 address'),
    ('fe80::1%eth0', 'zone identifiers'),
    ('[::1', 'missing ]'),
    ('[::1]x', 'unexpected text after ]'),
    ('[10.0.0.1]:80', 'not a valid IPv6 address'),
    ('bad host', 'white space'),
    ('bad_host!', 'not a valid host name label'),
    ('-bad.example', 'not a valid host name label'),
    ('bad-.example', 'not a valid host name label'),
    ('a..example', 'not a valid host name label'),
    ('a' * 64 + '.example', 'not a valid host name label'),
    ('.'.join(['a' * 60] * 5), 'longer than 253'),
    ('host.123', 'cannot be numeric'),
    ('http://proxy.example', 'a URL is not an entry'),
    ('example.com:', 'port'),
    ('example.com:0', 'outside 1-65535'),
    ('example.com:65536', 'outside 1-65535'),
    ('example.com:http', 'not a number'),
    (':80', 'no host before the port'),
    ('*:80', 'not a valid host name label'),
    ('*.', 'no host name'),
    ('.', 'no host name'),
    ('*example.com', 'not a valid host name label'),
    ('', 'empty entry'),
    ('   ', 'empty entry'),
])
def test_invalid_entries_raise_naming_the_entry(entry, reason):
    with pytest.raises(AnsibleFilterError) as raised:
        no_proxy(['localhost', entry])
    message = str(raised.value)
    assert repr(entry) in message
    assert reason in message


@pytest.mark.parametrize('value', ['a.example,,b.example', 'a.example,', ['a.example', '']])
def test_empty_entries_inside_a_value_raise(value):
    with pytest.raises(AnsibleFilterError, match='empty entry'):
        no_proxy(value)


@pytest.mark.parametrize('value', [None, 42, {'a': 'b'}])
def test_other_input_types_raise(value):
    with pytest.raises(AnsibleFilterError, match='expects a list of entries or a comma-separated string'):
        no_proxy(value)


@pytest.mark.parametrize('entry', [None, 3, ['x']])
def test_non_string_entries_raise(entry):
    with pytest.raises(AnsibleFilterError, match='expected a string'):
        no_proxy(['localhost', entry])


def test_missing_netaddr_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'netaddr', None)   # what an import of a missing package raises
    with pytest.raises(AnsibleFilterError, match='needs the netaddr Python library'):
        no_proxy(['localhost', '10.0.0.0/8'])
    # nothing to parse as an address: netaddr is neither needed nor imported (the role's default is [])
    assert no_proxy([]) == ''


def _ansible_cli(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    assert os.access(path, os.X_OK), '%s must be installed next to %s (make test sets up the venv)' % (name, sys.executable)
    return path


def _collections_env():
    # .../ansible_collections/gocompat/baseline/plugins/filter/no_proxy.py
    root = plugin.__file__
    for dummy in range(6):
        root = os.path.dirname(root)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, ANSIBLE_NOCOLOR='1')
    env.pop('ANSIBLE_CONFIG', None)
    return env


def _run_debug(expression):
    command = [_ansible_cli('ansible'), 'localhost', '-i', 'localhost,', '-c', 'local', '-o',
               '-e', 'ansible_python_interpreter=%s' % sys.executable,
               '-m', 'ansible.builtin.debug', '-a', 'msg={{ %s }}' % expression]
    return subprocess.run(command, env=_collections_env(), capture_output=True, text=True, timeout=120, check=False,
                          cwd=os.path.dirname(os.path.abspath(__file__)))


def test_filter_runs_by_its_fqcn_in_ansible():
    result = _run_debug("['*.Corp.example', '10.1.2.3/8'] | gocompat.baseline.no_proxy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert '.corp.example,10.0.0.0/8' in result.stdout


def test_invalid_entry_fails_the_task_naming_it():
    result = _run_debug("['localhost', '300.1.1.1'] | gocompat.baseline.no_proxy")
    assert result.returncode != 0
    assert "invalid entry '300.1.1.1'" in result.stdout + result.stderr


def test_documentation_renders_in_ansible_doc():
    result = subprocess.run([_ansible_cli('ansible-doc'), '-t', 'filter', 'gocompat.baseline.no_proxy'],
                            env=_collections_env(), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert 'Turns a list of NO_PROXY entries' in result.stdout
    assert 'netaddr' in result.stdout
