"""Assume a profile's role with the AWS CLI v2's own credential chain (Debian's awscli: its bundled botocore).

Input (stdin): JSON {"profile": ..., "endpoint": ..., "code": ...}; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE come
from the environment. Output (stdout): JSON {"accessKeyId", "sessionToken", "prompts"} or {"error": "..."}.
The chain is the one `aws --profile NAME` runs (create_credential_resolver: the AssumeRoleProvider reads role_arn,
source_profile, mfa_serial, role_session_name and duration_seconds from the files and asks for the MFA code). Two things
are set from outside, because the AWS CLI 2.9 that Debian ships has no setting for them: the endpoint of the provider's
STS client (AWS_ENDPOINT_URL arrived in AWS CLI 2.13) and the answer to its MFA prompt (getpass, read from a terminal).
"""
import getpass
import json
import sys

args = json.load(sys.stdin)
prompts = []


def prompter(prompt='Password: ', stream=None):
    prompts.append(prompt)
    return args['code']


# Before botocore is imported: the AssumeRoleProvider binds getpass.getpass as its default prompter at import time.
getpass.getpass = prompter

sys.path.insert(0, '/usr/lib/python3/dist-packages')
import awscli  # noqa: E402,F401  (makes `botocore` the copy bundled with the AWS CLI v2)
import botocore.session  # noqa: E402

try:
    session = botocore.session.get_session()
    session.set_config_variable('profile', args['profile'])
    create_client = session.create_client

    def create_client_at_endpoint(service_name, *rest, **kwargs):
        kwargs['endpoint_url'] = args['endpoint']
        return create_client(service_name, *rest, **kwargs)

    session.create_client = create_client_at_endpoint
    frozen = session.get_credentials().get_frozen_credentials()
    print(json.dumps({'accessKeyId': frozen.access_key, 'sessionToken': frozen.token, 'prompts': prompts}))
except Exception as err:  # noqa: BLE001  (the test shows whatever went wrong)
    print(json.dumps({'error': '%s: %s' % (type(err).__name__, err)}))
