"""Pass/fail scenarios of wsl_conf through ansible-playbook in a container that looks like WSL 2, WSL 1 or plain
Linux (conftest.py): the file's bytes, the findings, check mode predicting the real run, the restart contract."""

import pytest

CONF = '/etc/wsl.conf'
SYSTEMD = {'settings': {'boot': {'systemd': True}}}


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


def converge(host, args):
    """Check mode (nothing changes), the real run (same prediction), a second run (no change)."""
    before = host.state()
    check = host.run(args, check=True)
    assert not check.get('failed'), check
    assert host.state() == before
    real = host.run(args)
    assert not real.get('failed'), real
    assert real['changed'] == check['changed'] and real['changed_keys'] == check['changed_keys']
    assert [f['control'] for f in real['findings']] == [f['control'] for f in check['findings']]
    assert [f['actual'] for f in real['findings']] == [f['actual'] for f in check['findings']]
    again = host.run(args)
    assert again['changed'] is False, again
    return check, real, again


def refused(host, args, words):
    before = host.state()
    for check in (True, False):
        result = host.run(args, check=check)
        assert result.get('failed'), result
        for word in words:
            assert word in result['msg'], result['msg']
    assert host.state() == before


def test_no_wsl_conf_on_wsl2(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.remove()
    check, real, again = converge(wsl_host, SYSTEMD)
    assert wsl_host.raw() == b'[boot]\nsystemd=true\n'
    assert (real['is_wsl'], real['wsl_version'], real['distro'], real['systemd_pid1']) == (True, 2, 'Debian', False)
    assert check['restart_required'] is True and real['restart_required'] is True
    assert 'wsl.exe --shutdown' in real['restart_instruction'] and 'wsl.exe --terminate Debian' in real['restart_instruction']
    assert by_control(check)['wsl.conf.boot.systemd']['status'] == 'fail'
    assert by_control(real)['wsl.conf.boot.systemd']['status'] == 'fixed'
    assert by_control(again)['wsl.conf.boot.systemd']['status'] == 'pass'
    # systemd is not PID 1 until WSL restarts: the restart is still owed
    assert again['restart_required'] is True and by_control(again)['wsl.systemd']['status'] == 'fail'
    assert '/proc/sys/fs/binfmt_misc/WSLInterop' in real['evidence']


def test_systemd_false_becomes_true_in_place(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'# distro defaults\n[boot]\nsystemd = false # off\n\n[user]\ndefault = dev\n')
    converge(wsl_host, SYSTEMD)
    assert wsl_host.raw() == b'# distro defaults\n[boot]\nsystemd = true # off\n\n[user]\ndefault = dev\n'


def test_boot_section_without_systemd(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\ncommand = "service ssh start"\n\n[network]\nhostname = devbox\n')
    converge(wsl_host, SYSTEMD)
    assert wsl_host.raw() == b'[boot]\ncommand = "service ssh start"\nsystemd=true\n\n[network]\nhostname = devbox\n'


def test_crlf_and_bom_file_from_windows(wsl_host):
    wsl_host.become('wsl2')
    original = b'\xef\xbb\xbf[automount]\r\noptions = "metadata"\r\n\r\n[boot]\r\nsystemd=false\r\n'
    wsl_host.put(original)
    converge(wsl_host, {'settings': {'boot': {'systemd': True}, 'interop': {'appendWindowsPath': False}}})
    assert wsl_host.raw() == original.replace(b'systemd=false', b'systemd=true') + \
        b'\r\n[interop]\r\nappendWindowsPath=false\r\n'


def test_duplicate_section(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\ncommand=x\n[user]\ndefault=dev\n[boot]\nsystemd=false\n')
    check, real, _again = converge(wsl_host, SYSTEMD)
    # the key is in the second [boot]: that line is changed, the first [boot] is left as it is
    assert wsl_host.raw() == b'[boot]\ncommand=x\n[user]\ndefault=dev\n[boot]\nsystemd=true\n'
    assert any('section [boot] appears again (first at line 1)' in w for w in real['warnings'])
    assert by_control(check)['wsl.conf.boot.systemd']['actual'] == 'systemd=false (/etc/wsl.conf:6)'


def test_duplicate_key_first_counts(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=false\nsystemd=true\n')
    _check, real, _again = converge(wsl_host, SYSTEMD)
    assert wsl_host.raw() == b'[boot]\nsystemd=true\nsystemd=true\n'
    assert any('/etc/wsl.conf:3: boot.systemd is set again and WSL ignores it' in w for w in real['warnings'])


def test_unknown_key_strict_on_is_refused(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=true\n')
    refused(wsl_host, {'settings': {'boot': {'sytemd': True}}}, ['settings.boot.sytemd: unknown key'])


def test_unknown_key_strict_off_is_written(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=true\n')
    converge(wsl_host, {'settings': {'experimental': {'newThing': 'on'}}, 'strict': False})
    assert wsl_host.raw() == b'[boot]\nsystemd=true\n\n[experimental]\nnewThing=on\n'


def test_malformed_line_is_refused_with_file_and_line(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=false\ncommand="unclosed\n')
    refused(wsl_host, SYSTEMD, ['/etc/wsl.conf:3: a quote is not closed'])


def test_read_only_file_mode_is_kept(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=false\n', mode='0444')
    converge(wsl_host, SYSTEMD)
    assert wsl_host.raw() == b'[boot]\nsystemd=true\n'
    assert wsl_host.sh('stat -c %a /etc/wsl.conf').stdout.strip() == '444'


def test_read_only_mount_fails_cleanly_and_changes_nothing(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=false\n', path='/srv/ro/wsl.conf')
    wsl_host.sh('mount --bind /srv/ro /srv/ro && mount -o remount,bind,ro /srv/ro')
    try:
        before = wsl_host.raw('/srv/ro/wsl.conf')
        result = wsl_host.run(dict(SYSTEMD, path='/srv/ro/wsl.conf'))
        assert result.get('failed') and 'Read-only file system' in result['msg'], result
        assert 'nothing had been changed' in result['msg']
        assert wsl_host.raw('/srv/ro/wsl.conf') == before
    finally:
        wsl_host.sh('umount /srv/ro')


def test_symlinked_wsl_conf_edits_the_target(wsl_host):
    wsl_host.become('wsl2')
    wsl_host.put(b'[boot]\nsystemd=false\n', path='/etc/wsl.d/wsl.conf')
    wsl_host.sh('rm -f /etc/wsl.conf && ln -s wsl.d/wsl.conf /etc/wsl.conf')
    try:
        _check, real, _again = converge(wsl_host, SYSTEMD)
        assert real['path'] == '/etc/wsl.d/wsl.conf'
        assert wsl_host.sh('readlink /etc/wsl.conf').stdout.strip() == 'wsl.d/wsl.conf'
        assert wsl_host.raw('/etc/wsl.d/wsl.conf') == b'[boot]\nsystemd=true\n'
    finally:
        wsl_host.sh('rm -rf /etc/wsl.conf /etc/wsl.d')


def test_wsl1_warns_systemd_cannot_work(wsl_host):
    wsl_host.become('wsl1')
    wsl_host.remove()
    _check, real, _again = converge(wsl_host, SYSTEMD)
    assert real['wsl_version'] == 1 and real['distro'] == 'Ubuntu'
    assert any('WSL 1, which cannot run systemd' in w for w in real['warnings'])
    systemd = by_control(real)['wsl.systemd']
    assert systemd['status'] == 'fail' and systemd['remediation'] == \
        'convert the distribution to WSL 2 from Windows: wsl.exe --set-version Ubuntu 2'


def test_wsl2_with_systemd_pid1_passes_without_restart(wsl_host):
    wsl_host.become('wsl2-systemd')
    wsl_host.put(b'[boot]\nsystemd=true\n')
    result = wsl_host.run(SYSTEMD)
    assert result['changed'] is False and result['systemd_pid1'] is True and result['restart_required'] is False
    assert [f['status'] for f in result['findings']] == ['pass', 'pass']


def test_plain_linux_only_on_wsl_skips_without_reading(wsl_host):
    wsl_host.become('linux')
    wsl_host.put(b'[not valid\n')
    before = wsl_host.state()
    result = wsl_host.run(dict(SYSTEMD, only_on_wsl=True))
    assert result['changed'] is False and result['is_wsl'] is False
    assert [(f['control'], f['status']) for f in result['findings']] == [('wsl.host', 'skip')]
    assert 'container (/.dockerenv)' not in result['findings'][0]['actual']
    assert wsl_host.state() == before


def test_plain_linux_image_build_writes_without_restart(wsl_host):
    wsl_host.become('linux')
    wsl_host.remove()
    _check, real, _again = converge(wsl_host, SYSTEMD)
    assert real['is_wsl'] is False and real['restart_required'] is False
    assert by_control(real)['wsl.systemd']['status'] == 'skip'
    assert wsl_host.raw() == b'[boot]\nsystemd=true\n'


@pytest.mark.parametrize('kind,words', [('fifo', 'not a regular file'), ('dir', 'a directory')])
def test_special_files_are_refused(wsl_host, kind, words):
    wsl_host.become('wsl2')
    wsl_host.remove()
    wsl_host.sh('mkfifo /etc/wsl.conf' if kind == 'fifo' else 'mkdir /etc/wsl.conf')
    try:
        refused(wsl_host, SYSTEMD, ['path: /etc/wsl.conf is', words])
    finally:
        wsl_host.remove()
