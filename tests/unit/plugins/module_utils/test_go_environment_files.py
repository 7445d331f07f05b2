# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure part of go_environment: validation, rendering (byte for byte what the role wrote before, so an
upgrade changes nothing on a host), reading a managed file back, and the controls."""

from __future__ import absolute_import, division, print_function

import subprocess

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G


def settings(godebug=None, path=None, gotmpdir='', http='', https='', no_proxy=None):
    return G.validate_settings({'netdns': 'go'} if godebug is None else godebug,
                               ['/usr/local/go/bin'] if path is None else path, gotmpdir, http, https, no_proxy or [])


# Written by the 0.1.0 role templates for {netdns: go, http2client: 0} and /usr/local/go/bin.
ENVIRONMENT_D_0_1 = (
    '# Managed by gocompat.baseline (go_env role); local changes are overwritten.\n'
    '# Go environment for systemd user managers started from now on (environment.d(5)).\n'
    'PATH="/usr/local/go/bin:${PATH}"\n'
    'GODEBUG="netdns=go,http2client=0"\n')
SYSTEM_CONF_0_1 = (
    '# Managed by gocompat.baseline (go_env role); local changes are overwritten.\n'
    "# Go environment for services of the system manager; PATH stays systemd's own.\n"
    '[Manager]\n'
    'DefaultEnvironment="GODEBUG=netdns=go,http2client=0"\n')


def test_systemd_files_are_what_the_earlier_role_wrote():
    s = settings({'netdns': 'go', 'http2client': 0})
    assert G.render_environment_d(s) == ENVIRONMENT_D_0_1
    assert G.render_system_conf(s) == SYSTEM_CONF_0_1


def test_profile_layout():
    text = G.render_profile(settings({'netdns': 'go', 'x.y-z': 1}, gotmpdir='/var/tmp/go'))
    lines = text.split('\n')
    assert lines[0] + '\n' == G.HEADER
    assert "        ''|netdns|x.y-z) ;;" in lines
    assert 'GODEBUG=${__gocompat_keep:+$__gocompat_keep,}netdns=go,x.y-z=1' in lines
    assert 'for __gocompat_dir in /usr/local/go/bin; do' in lines
    assert text.endswith('\nGOTMPDIR=/var/tmp/go\nexport GOTMPDIR\n')


def test_nothing_to_set_renders_no_file():
    empty = settings({}, [])
    assert (G.render_profile(empty), G.render_environment_d(empty), G.render_system_conf(empty)) == (None, None, None)
    path_only = settings({}, ['/opt/go/bin'])
    assert G.render_system_conf(path_only) is None
    assert G.render_environment_d(path_only).endswith('PATH="/opt/go/bin:${PATH}"\n')


HOSTILE = "http://u:p'w$d%x\"y\\z@proxy:3128"


@pytest.mark.parametrize('consumer, render', G.RENDERERS)
def test_every_value_reads_back_as_written(consumer, render):
    s = settings({'netdns': 'go', 'a': '%$x'}, ['/a b', "/it's", '/x$y'], '/t m p', HOSTILE, 'h', ['.corp', '*'])
    state = G.file_state(consumer, render(s))
    assert state.godebug == [('netdns', 'go'), ('a', '%$x')]
    assert state.path == ([] if consumer == G.SERVICES else ['/a b', "/it's", '/x$y'])
    assert state.option_value('http_proxy') == HOSTILE
    assert state.option_value('no_proxy') == '.corp,*'
    assert state.option_value('gotmpdir') == '/t m p'


def test_the_login_script_passes_sh_and_exports_hostile_values_intact(tmp_path):
    script = tmp_path / 'x.sh'
    script.write_text(G.render_profile(settings({'netdns': 'go'}, ["/it's"], http=HOSTILE)))
    out = subprocess.check_output(['sh', '-c', '. "$1"; printf "%s\\n" "$HTTP_PROXY" "$http_proxy" "$PATH"',
                                   'sh', str(script)], env={'PATH': '/bin'}).decode().split('\n')
    assert out[:3] == [HOSTILE, HOSTILE, "/it's:/bin"]


def test_godebug_read_back_last_setting_wins():
    assert G.parse_system_conf('DefaultEnvironment="GODEBUG=a=1,b=2,a=3"\n').godebug == [('b', '2'), ('a', '3')]


def test_an_option_whose_spellings_disagree_is_inconsistent():
    state = G.parse_environment_d('HTTP_PROXY="http://a"\nhttp_proxy="http://b"\n')
    assert state.option_value('http_proxy') is None
    assert G.parse_environment_d('HTTP_PROXY="http://a"\n').option_value('http_proxy') is None
    assert G.NOTHING.option_value('http_proxy') == ''


@pytest.mark.parametrize('url, shown', [
    ('http://user:secret@proxy:3128', 'http://user:***@proxy:3128'),
    ('http://user@proxy:3128', 'http://user@proxy:3128'),
    ('proxy:3128', 'proxy:3128'),
    ('user:pw@proxy', 'user:***@proxy'),
    ('http://proxy/a@b', 'http://proxy/a@b'),
])
def test_redact(url, shown):
    assert G.redact(url) == shown


def test_controls_have_their_own_status():
    wanted = settings({'netdns': 'go'}, https='http://p:3128')
    current = dict((c, G.file_state(c, r(settings({'netdns': 'go', 'old': '1'})))) for c, r in G.RENDERERS)
    found = dict((c.control, c) for c in G.controls(wanted, current, [G.PROFILE, G.USER_MANAGERS, G.SERVICES]))
    assert sorted(found) == ['env.godebug.netdns', 'env.godebug.old', 'env.path', 'env.proxy.https']
    assert not found['env.godebug.netdns'].differs
    assert not found['env.path'].differs
    assert found['env.godebug.old'].differs and found['env.godebug.old'].wanted == dict.fromkeys(current)
    assert found['env.proxy.https'].describe_actual() == (
        'login shells: not set; user managers: not set; system services: not set')


def test_an_inconsistent_proxy_is_reported_so():
    current = {G.PROFILE: G.parse_profile('HTTP_PROXY=http://a\nhttp_proxy=http://b\n')}
    found = G.controls(settings({}, [], http='http://a'), current, [G.PROFILE])
    assert [c.control for c in found] == ['env.proxy.http']
    assert found[0].differs and found[0].describe_actual() == 'login shells: inconsistent'


@pytest.mark.parametrize('args, needle', [
    (({'k': True}, [], '', '', '', []), 'godebug.k must be a string or a number'),
    (({}, '/x', '', '', '', []), 'path_prepend must be a list'),
    (({}, [], 5, '', '', []), 'gotmpdir must be a string, not int'),
    (({}, [], '', '', '', 'a,b'), 'no_proxy must be a list'),
    (({}, [], '', '', '', ['a,b']), 'contains ",", the entry separator'),
    (([], [], '', '', '', []), 'godebug must be a dict'),
])
def test_validation_names_the_option(args, needle):
    with pytest.raises(G.InvalidSetting) as err:
        G.validate_settings(*args)
    assert needle in str(err.value)
