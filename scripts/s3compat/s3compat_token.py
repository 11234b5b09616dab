"""pytest plugin for scripts/s3-compat.sh: gives s3-tests' clients their session tokens.

s3-tests' config has a key and a secret per user but no session token, and SpaceWatch's
gateway credentials (POST /gateway/credentials) are a key, a secret and a session token.
This plugin, loaded with `-p s3compat_token` (PYTHONPATH=scripts/s3compat), reads
S3COMPAT_TOKENS: a JSON file {access_key_id: session_token}. Every botocore client
created for one of those key ids is created with its session token, so botocore itself
signs it: `x-amz-security-token` is a signed header of each SigV4 request and a signed
query parameter of each presigned URL, as with any SDK given temporary credentials.
Without S3COMPAT_TOKENS (the direct run) the plugin changes nothing. Clients of other
keys (s3-tests' deliberately bad ones) get no token.
"""

import functools
import json
import os

import botocore.session


def _load_tokens():
    path = os.environ.get("S3COMPAT_TOKENS")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        tokens = json.load(f)
    if not isinstance(tokens, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in tokens.items()
    ):
        raise ValueError(f"{path}: expected a JSON object of access key id -> token")
    return tokens


def _with_tokens(create_client, tokens):
    @functools.wraps(create_client)
    def create(self, *args, **kwargs):
        key = kwargs.get("aws_access_key_id")
        if key in tokens and kwargs.get("aws_session_token") is None:
            kwargs["aws_session_token"] = tokens[key]
        return create_client(self, *args, **kwargs)

    return create


def pytest_configure(config):
    tokens = _load_tokens()
    if tokens:
        # boto3.client/resource (all s3-tests uses) reach botocore through this method,
        # always with keyword arguments.
        botocore.session.Session.create_client = _with_tokens(
            botocore.session.Session.create_client, tokens
        )
