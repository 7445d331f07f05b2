"""The private mount namespace helper (tests/harness/mountns.py): what is mounted there never shows here."""

import os

from harness import mountns


def mounted_here(path):
    with open('/proc/self/mountinfo') as handle:
        return any(line.split()[4] == path for line in handle)


def test_a_tmpfs_mounted_in_the_namespace_stays_there(tmp_path):
    target = tmp_path / 'mnt'
    target.mkdir()
    proc = mountns.tmpfs(str(target), '1m', ['sh', '-c', 'echo inside > "$0/file" && df -k "$0" | tail -n 1', str(target)],
                         after='ls -A "$mnt"')
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.split('\n')
    assert lines[0].startswith('tmpfs') and lines[0].split()[1] == '1024', proc.stdout
    assert lines[1] == 'file'
    assert os.listdir(str(target)) == [], 'a file written on the tmpfs reached the real directory'
    assert not mounted_here(str(target))


def test_the_exit_status_is_the_commands_and_a_failed_mount_is_97(tmp_path):
    target = tmp_path / 'mnt'
    target.mkdir()
    assert mountns.tmpfs(str(target), '1m', ['sh', '-c', 'exit 3']).returncode == 3
    assert mountns.tmpfs(str(tmp_path / 'missing'), '1m', ['true']).returncode == 97


def test_run_passes_arguments_and_isolates_a_bind_mount(tmp_path):
    source, target = tmp_path / 'a', tmp_path / 'b'
    source.mkdir()
    target.mkdir()
    (source / 'only-in-a').write_text('x')
    proc = mountns.run('mount --bind "$1" "$2" && ls "$2"', source, target)
    assert proc.returncode == 0 and proc.stdout.split() == ['only-in-a'], proc.stdout
    assert os.listdir(str(target)) == [] and not mounted_here(str(target))
