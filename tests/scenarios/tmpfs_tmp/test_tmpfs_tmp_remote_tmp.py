"""The plain module call on a container whose /tmp it mounts over, followed by more tasks on that container:
with Ansible's default remote_tmp (~/.ansible/tmp) and with remote_tmp under /tmp, with and without
pipelining. Mounting over /tmp mid-run is what breaks the next step upstream ("Module result deserialization
failed"): here the module's result arrives and the next two tasks run in the container."""

import pytest

from harness.playbook import default_venv, run_playbook

PLAYBOOK = '''---
- name: Mount a tmpfs over /tmp, then keep working on the host
  hosts: all
  gather_facts: false
  vars:
    ansible_remote_tmp: "{{ remote_tmp }}"
    ansible_pipelining: "{{ pipelining }}"
  tasks:
    - name: Mount /tmp with the module's defaults
      gocompat.baseline.tmpfs_tmp:
      register: mounted

    - name: Read the mount with a module run after it
      ansible.builtin.command: findmnt -no FSTYPE,OPTIONS /tmp
      register: after
      changed_when: false

    - name: The mount happened and the next tasks ran
      ansible.builtin.assert:
        that:
          - mounted is changed
          - mounted.live_action == 'mount'
          - after.stdout.split()[0] == 'tmpfs'
          - "'nosuid' in after.stdout"
'''


@pytest.mark.parametrize('remote_tmp, pipelining', [
    ('~/.ansible/tmp', False), ('/tmp/.ansible-remote/tmp', False), ('/tmp/.ansible-remote/tmp', True)],
    ids=['default-remote-tmp', 'remote-tmp-in-tmp', 'remote-tmp-in-tmp-pipelining'])
def test_next_tasks_run_after_the_mount(container, tmp_path, remote_tmp, pipelining):
    host = container(prefix='gocompat-tmpfs-rt-')
    playbook = tmp_path / 'play.yml'
    playbook.write_text(PLAYBOOK)
    run = run_playbook(str(tmp_path), 'remote-tmp', str(playbook), [host], default_venv(),
                       extra_vars={'remote_tmp': remote_tmp, 'pipelining': pipelining})
    assert run.rc == 0, run.explain()
    recap = run.recap[host.name]
    assert recap['failed'] == 0 and recap['ok'] == 3, recap
