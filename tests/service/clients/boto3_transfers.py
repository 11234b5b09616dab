"""Three concurrent 40 MiB multipart uploads with boto3's transfer manager through the
gateway; prints {key: {"etag", "sha256"}} as JSON on its last line."""
import concurrent.futures
import hashlib
import io
import json
import os
import random

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

env = os.environ
s3 = boto3.client(
    "s3",
    endpoint_url=env["GW_ENDPOINT"],
    region_name=env["GW_REGION"],
    aws_access_key_id=env["GW_KEY"],
    aws_secret_access_key=env["GW_SECRET"],
    aws_session_token=env.get("GW_TOKEN"),
    config=Config(s3={"addressing_style": "path"}),
)
if "GW_SPACES_KEY" in env:
    def tenant_headers(request, **_):
        request.headers["X-Spaces-Key"] = env["GW_SPACES_KEY"]
        request.headers["X-Spaces-Secret"] = env["GW_SPACES_SECRET"]
    s3.meta.events.register("before-send.s3.*", tenant_headers)

bucket = env["GW_BUCKET"]
s3.create_bucket(Bucket=bucket)
config = TransferConfig(multipart_threshold=8 * 1024 * 1024,
                        multipart_chunksize=8 * 1024 * 1024, max_concurrency=4)


def upload(i):
    rng = random.Random(i)
    data = rng.randbytes(40 * 1024 * 1024)
    key = f"transfer-{i}.bin"
    s3.upload_fileobj(io.BytesIO(data), bucket, key, Config=config)
    head = s3.head_object(Bucket=bucket, Key=key)
    return key, {"etag": head["ETag"], "sha256": hashlib.sha256(data).hexdigest()}


with concurrent.futures.ThreadPoolExecutor(3) as pool:
    results = dict(pool.map(upload, range(3)))
print(json.dumps(results))
