"""SigV4 of s3-api's `wire` example against botocore's own signer.

For each case, `wire request ... --sign ... --time ...` prints a signed
request and `wire presign ...` a presigned URL; botocore signs the same
request (method, URL, headers, body) at the same time with S3SigV4Auth and
S3SigV4QueryAuth. The signatures must be equal.

    python botocore_sign.py <wire binary>
"""

import datetime
import subprocess
import sys
import tempfile
from unittest import mock

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TIME = "20261204T120000Z"
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
INPUT = (
    '{"Bucket": "%s", "Id": "r 1/é", "ExpectedBucketOwner": "123456789012",'
    ' "AnalyticsConfiguration": {"Id": "r 1/é", "Filter": {"Prefix": "logs/ä+"},'
    ' "StorageClassAnalysis": {}}}'
)
# (bucket, endpoint flags, session token)
CASES = [
    ("amzn-s3-demo-bucket", ["--region", "us-west-2"], None),
    ("amzn-s3-demo-bucket", ["--region", "eu-west-1", "--force-path-style"], "token/+="),
    ("my.dotted.bucket", ["--region", "us-east-1"], None),
    ("b1b1b1", ["--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9000", "--force-path-style"], None),
    ("amzn-s3-demo-bucket", ["--region", "us-gov-west-1", "--use-fips", "--use-dualstack"], "t"),
]


class FixedTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return datetime.datetime(2026, 12, 4, 12, 0, 0)

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime(2026, 12, 4, 12, 0, 0, tzinfo=tz)


def wire(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"wire {' '.join(args)} failed: {out.stderr.decode()}")
    return out.stdout


def parse_request(raw):
    head, _, body = raw.partition(b"\n\n")
    lines = head.decode().split("\n")
    method, target, _ = lines[0].split(" ")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return method, target, headers, body


def main():
    binary = sys.argv[1]
    failures = 0
    for bucket, flags, token in CASES:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(INPUT % bucket)
            path = f.name
        sign = f"{KEY}:{SECRET}" + (f":{token}" if token else "")
        method, target, headers, body = parse_request(
            wire(binary, "request", "PutBucketAnalyticsConfiguration", path, *flags, "--sign", sign, "--time", TIME)
        )
        ours = headers.pop("authorization")
        for computed in ("x-amz-date", "x-amz-content-sha256", "x-amz-security-token"):
            headers.pop(computed, None)
        scheme = "http" if "--endpoint-url" in flags else "https"
        url = f"{scheme}://{headers['host']}{target}"
        region = flags[flags.index("--region") + 1]
        credentials = Credentials(KEY, SECRET, token)
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        with mock.patch("botocore.auth.datetime.datetime", FixedTime):
            S3SigV4Auth(credentials, "s3", region).add_auth(request)
        theirs = request.headers["Authorization"]
        if ours != theirs:
            failures += 1
            print(f"FAIL {bucket} {flags}:\n  s3-api:   {ours}\n  botocore: {theirs}")
        else:
            print(f"ok   {bucket} {' '.join(flags)}: {ours.rsplit('=', 1)[1][:16]}...")

        presigned = wire(
            binary, "presign", "PutBucketAnalyticsConfiguration", path, *flags,
            "--sign", sign, "--time", TIME, "--expires", "3600",
        ).decode().strip()
        unsigned, _, _ = presigned.partition("&X-Amz-Algorithm=")
        request = AWSRequest(method=method, url=unsigned, headers={"host": headers["host"]})
        with mock.patch("botocore.auth.datetime.datetime", FixedTime):
            S3SigV4QueryAuth(credentials, "s3", region, expires=3600).add_auth(request)
        theirs = request.url.split("X-Amz-Signature=")[1].split("&")[0]
        ours = presigned.split("X-Amz-Signature=")[1].split("&")[0]
        if ours != theirs:
            failures += 1
            print(f"FAIL presign {bucket} {flags}:\n  s3-api:   {presigned}\n  botocore: {request.url}")
        else:
            print(f"ok   presign {bucket} {' '.join(flags)}")
    if failures:
        raise SystemExit(f"{failures} signature(s) differ from botocore's")
    print(f"signing: {2 * len(CASES)} signatures equal botocore's")


main()
