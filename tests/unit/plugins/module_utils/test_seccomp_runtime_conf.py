# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""daemon.json and containers.conf edits: one key set, every other byte kept; malformed files refused with
file:line:column."""

from __future__ import absolute_import, division, print_function

import json

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_runtime_conf as C

P = '/etc/gocompat/seccomp/go-tests.json'
DJ = '/etc/docker/daemon.json'
CC = '/etc/containers/containers.conf'


def test_daemon_json_new_file():
    assert C.set_daemon_json(None, DJ, P) == '{\n  "seccomp-profile": "%s"\n}\n' % P
    assert C.set_daemon_json('  \n', DJ, P) == '{\n  "seccomp-profile": "%s"\n}\n' % P


def test_daemon_json_added_after_the_last_member_with_its_indent():
    text = '{\n    "log-driver": "journald",\n    "storage-opts": ["a", "b"]   \n}\n'
    out = C.set_daemon_json(text, DJ, P)
    assert out == '{\n    "log-driver": "journald",\n    "storage-opts": ["a", "b"],\n    "seccomp-profile": "%s"   \n}\n' % P
    assert list(json.loads(out)) == ['log-driver', 'storage-opts', 'seccomp-profile']


def test_daemon_json_value_replaced_in_place():
    text = '{"a":1,"seccomp-profile" :  "/old.json" ,"b":{"c":[1,2]}}'
    out = C.set_daemon_json(text, DJ, P)
    assert out == '{"a":1,"seccomp-profile" :  "%s" ,"b":{"c":[1,2]}}' % P
    assert C.daemon_json_value(out, DJ) == P
    assert C.set_daemon_json(out, DJ, P) == out


def test_daemon_json_one_line_and_empty_objects():
    assert C.set_daemon_json('{"a": 1}', DJ, P) == '{"a": 1, "seccomp-profile": "%s"}' % P
    assert json.loads(C.set_daemon_json('{}\n', DJ, P)) == {'seccomp-profile': P}
    assert C.set_daemon_json('{\n}\n', DJ, P) == '{\n  "seccomp-profile": "%s"\n}\n' % P


@pytest.mark.parametrize('text,where', [
    ('{"a": 1,}', 'daemon.json:1:9: expected a key'),
    ('{"a": 1} {"b": 2}', 'daemon.json:1:10: text after the JSON object'),
    ('["a"]', 'daemon.json:1:1: expected a JSON object'),
    ('{"a": tru}', 'daemon.json:1:7: not valid JSON'),
    ('{\n  "a": 1,\n  "a": 2\n}', 'daemon.json:3:3: duplicate key a'),
    ('{"a" 1}', 'daemon.json:1:6: expected ":"'),
    ('{"a": 1', 'daemon.json:1:8: expected "," or "}"'),
    ('{"a": "\udcff"}', 'daemon.json: not UTF-8 text'),
])
def test_daemon_json_malformed(text, where):
    with pytest.raises(C.ConfError) as caught:
        C.set_daemon_json(text, DJ, P)
    assert str(caught.value).startswith('/etc/docker/' + where), str(caught.value)


KEYS = st.text(st.sampled_from('abcdefgh-_'), min_size=1, max_size=6)
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=6)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(KEYS, VALUES, max_size=5), indent=st.sampled_from([None, 2, 4, '\t']),
       current=st.sampled_from([None, '/old.json', 7]))
def test_property_daemon_json_keeps_every_other_member(data, indent, current):
    if current is not None:
        data = dict(data, **{'seccomp-profile': current})
    text = json.dumps(data, indent=indent)
    out = C.set_daemon_json(text, DJ, P)
    parsed = json.loads(out)
    assert parsed.pop('seccomp-profile') == P
    assert list(parsed.items()) == [(k, v) for k, v in data.items() if k != 'seccomp-profile']
    assert C.set_daemon_json(out, DJ, P) == out
    if current is not None:
        assert len(out) - len(text) == len(json.dumps(P)) - len(json.dumps(current))


CONF = '''# containers.conf of this host
[containers]
# keep
default_capabilities = [
  "CHOWN",
  "[containers]",
]
log_size_max = -1   # unlimited

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
'''


def test_containers_conf_inserted_after_the_header():
    out = C.set_containers_conf(CONF, CC, P)
    assert out == CONF.replace('[containers]\n# keep', '[containers]\nseccomp_profile = "%s"\n# keep' % P)
    assert C.containers_conf_value(out, CC) == '"%s"' % P
    assert C.set_containers_conf(out, CC, P) == out


def test_containers_conf_replaced_in_place_with_comment_and_indent():
    text = CONF.replace('log_size_max = -1', '  seccomp_profile = "/usr/share/containers/seccomp.json" # default\nlog_size_max = -1')
    out = C.set_containers_conf(text, CC, P)
    assert '  seccomp_profile = "%s"  # default\n' % P in out
    assert out.replace('  seccomp_profile = "%s"  # default\n' % P, '') == \
        text.replace('  seccomp_profile = "/usr/share/containers/seccomp.json" # default\n', '')


def test_containers_conf_other_tables_untouched_and_table_added():
    text = '[engine]\nseccomp_profile = "/not/this/table"\n'
    out = C.set_containers_conf(text, CC, P)
    assert out == text + '\n[containers]\nseccomp_profile = "%s"\n' % P
    assert C.set_containers_conf(None, CC, P) == '[containers]\nseccomp_profile = "%s"\n' % P
    assert C.set_containers_conf('[engine]', CC, P) == '[engine]\n\n[containers]\nseccomp_profile = "%s"\n' % P


def test_containers_conf_header_inside_a_multiline_string_is_not_a_table():
    text = '[engine]\nhelp = """\n[containers]\nseccomp_profile = "x"\n"""\n'
    out = C.set_containers_conf(text, CC, P)
    assert out == text + '\n[containers]\nseccomp_profile = "%s"\n' % P


def test_containers_conf_quoted_key_and_escaping():
    text = '[containers]\n"seccomp_profile" = \'/old\'\n'
    assert C.set_containers_conf(text, CC, '/a"b\\c.json') == '[containers]\nseccomp_profile = "/a\\"b\\\\c.json"\n'


@pytest.mark.parametrize('text,message', [
    ('[containers]\nseccomp_profile = "a"\nseccomp_profile = "b"\n', 'containers.conf:3: seccomp_profile is set twice'),
    ('[containers]\n[engine]\n[containers]\n', 'containers.conf:3: the table [containers] is defined twice'),
    ('[engine]\nx = """\nnever closed\n', 'containers.conf: a multi-line string (""") is never closed'),
    ('[containers]\nx = "\udcfe"\n', 'containers.conf: not UTF-8 text'),
    ('[containers]\x00\n', 'containers.conf: holds a NUL byte'),
])
def test_containers_conf_refused(text, message):
    with pytest.raises(C.ConfError) as caught:
        C.set_containers_conf(text, CC, P)
    assert str(caught.value).startswith('/etc/containers/' + message), str(caught.value)


LINES = st.lists(st.sampled_from(['# comment', '', 'a = 1', 'b = "x # y"', '[engine]', '[containers]', '[[hooks]]',
                                  'c = [', '  "d",', ']', 'e = \'\'\'', 'f', '\'\'\'']), max_size=12)


@settings(max_examples=80, deadline=None)
@given(lines=LINES, newline=st.booleans())
def test_property_containers_conf_changes_one_line(lines, newline):
    text = '\n'.join(lines) + ('\n' if newline else '')
    try:
        out = C.set_containers_conf(text, CC, P)
    except C.ConfError:
        return
    assert C.set_containers_conf(out, CC, P) == out
    assert C.containers_conf_value(out, CC) == '"%s"' % P
    removed = [l for l in out.split('\n') if l != 'seccomp_profile = "%s"' % P]
    kept = [l for l in removed if l not in ('[containers]', '')]
    assert kept == [l for l in text.split('\n') if l not in ('[containers]', '')]
