# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only module for the report tests: returns the findings it is given, as a module of this
collection does, and can fail (with findings) or say a reboot/restart is due."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        findings=dict(type='list', elements='dict', default=[]),
        fail_msg=dict(type='str'),
        reboot_required=dict(type='bool', default=False),
        restart_required=dict(type='bool', default=False),
        changed=dict(type='bool', default=False),
    ), supports_check_mode=True)
    params = module.params
    result = dict(changed=params['changed'], findings=params['findings'])
    if params['reboot_required']:
        result['reboot_required'] = True
    if params['restart_required']:
        result.update(restart_required=True, restart_instruction='wsl.exe --shutdown')
    if params['fail_msg']:
        module.fail_json(msg=params['fail_msg'], **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
