"""Read AWS config and credentials files with the AWS CLI v2's own parser (Debian's awscli: awscli/botocore).

Input (stdin): a JSON list of {"path": ..., "kind": "config" | "credentials"}.
Output (stdout): a JSON list, one per file, of {"profiles": {name: {key: value}}} or {"error": "..."}.
Config files go through botocore.configloader.load_config (what `aws configure get` uses for ~/.aws/config),
credentials files through raw_config_parse (botocore's SharedCredentialProvider and the session's credential merge).
Sub-settings (`s3 =` and indented lines) come back as "parent.key".
"""
import json
import sys

sys.path.insert(0, '/usr/lib/python3/dist-packages')
import awscli  # noqa: E402,F401  (makes `botocore` the copy bundled with the AWS CLI v2)
import botocore.configloader as configloader  # noqa: E402
import botocore.exceptions  # noqa: E402


def flat(values):
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                out[key + '.' + sub] = subvalue
        else:
            out[key] = value
    return out


def read(entry):
    try:
        if entry['kind'] == 'config':
            loaded = configloader.load_config(entry['path'])
            profiles = loaded['profiles']
        else:
            profiles = configloader.raw_config_parse(entry['path'])
        return {'profiles': {name: flat(values) for name, values in profiles.items()}}
    except botocore.exceptions.BotoCoreError as e:
        return {'error': type(e).__name__ + ': ' + str(e)}


json.dump([read(entry) for entry in json.load(sys.stdin)], sys.stdout)
