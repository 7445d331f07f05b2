# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from harness.local_exec import popen_execute

from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError, Runner as BaseRunner


def Runner(**kwargs):  # pylint: disable=invalid-name
    return BaseRunner(execute=popen_execute, **kwargs)


def test_runs_an_argument_list_in_the_given_locale():
    result = Runner(locale='C')(['sh', '-c', 'echo "$LC_ALL $LANG" "$1"', 'sh', 'a b; echo injected'])
    assert result.rc == 0 and result.out == 'C C a b; echo injected\n'


def test_bare_names_are_resolved_through_the_finder():
    found = []

    def find(name):
        found.append(name)
        return '/bin/true'
    assert Runner(find=find)(['anything']).rc == 0 and found[0] == 'anything'


def test_a_lazy_locale_is_asked_once():
    calls = []

    def locale():
        calls.append(1)
        return 'C.UTF-8'
    runner = Runner(locale=locale)
    runner(['true'])
    assert runner(['sh', '-c', 'echo $LC_ALL']).out == 'C.UTF-8\n' and calls == [1]


def test_a_failing_command_quotes_the_tail_of_stderr():
    with pytest.raises(CommandError) as info:
        Runner()(['sh', '-c', 'printf "noise\\nreal cause \\377\\n" >&2; exit 3'])
    assert str(info.value).endswith('failed (exit 3): noise\\x0areal cause \\xff')
    assert info.value.rc == 3


def test_check_false_returns_the_exit_code():
    assert Runner()(['sh', '-c', 'exit 4'], check=False).rc == 4


def test_a_command_that_runs_too_long_is_killed():
    with pytest.raises(CommandError) as info:
        Runner()(['sleep', '5'], timeout=0.2)
    assert 'did not finish within 0.2 s' in str(info.value)


def test_a_missing_command_is_one_clear_error():
    with pytest.raises(CommandError) as info:
        Runner()(['/nonexistent/tool', '--version'])
    assert 'cannot run /nonexistent/tool --version: No such file or directory' in str(info.value)
    with pytest.raises(CommandError) as info:
        Runner()(['no-such-command-anywhere'])
    assert 'not found on PATH' in str(info.value)


def test_input_is_passed_on_stdin():
    assert Runner()(['cat'], data='hello\n').out == 'hello\n'


def test_which_finds_optional_commands_without_failing():
    runner = Runner()
    assert runner.which('sh').endswith('/sh')
    assert runner.which('no-such-command-anywhere') is None

    def find(name):
        raise AssertionError('the required lookup must not be used for optional commands')
    find.optional = lambda name: None
    assert Runner(find=find).which('tar') is None


def test_a_runner_without_an_executor_says_so():
    with pytest.raises(CommandError) as info:
        BaseRunner()(['true'])
    assert 'this runner has no way to start processes' in str(info.value)


def test_the_executor_gets_the_locale_and_the_time_limit():
    calls = []

    def execute(argv, env_update, cwd, data):
        calls.append((argv, env_update, cwd, data))
        return 0, 'ok', ''

    runner = BaseRunner(execute=execute, locale='C.UTF-8', find=lambda name: '/usr/bin/' + name)
    runner.which = lambda name: '/usr/bin/timeout'
    assert runner(['go', 'version'], timeout=30, env={'GOFLAGS': ''}, cwd='/srv').out == 'ok'
    argv, env_update, cwd, _data = calls[0]
    assert argv == ['/usr/bin/timeout', '-k', '5', '30s', '/usr/bin/go', 'version']
    assert env_update == {'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8', 'LC_MESSAGES': 'C.UTF-8', 'GOFLAGS': ''}
    assert cwd == '/srv'
