"""The analytics scenario with botocore, the AWS SDK for Python's core.

    python botocore_scenario.py http://127.0.0.1:PORT

Runs against the `analytics-server` example of the s3-api crate (see the
README, "Test server and real clients"): path-style addressing, a dummy
region and static dummy credentials (the server does not check signatures).
Prints one line per check; exits with status 1 at the first failure.
"""

import hashlib
import os
import sys
import time

# Only what this script says: no profile, region or endpoint from the machine.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

CLIENT = "botocore"
LIMIT = 1000
PAGE = 100


def configurations():
    """Three configurations: every filter kind, each with a CSV data export."""

    def export(report):
        return {
            "DataExport": {
                "OutputSchemaVersion": "V_1",
                "Destination": {
                    "S3BucketDestination": {
                        "Format": "CSV",
                        "BucketAccountId": "123456789012",
                        "Bucket": "arn:aws:s3:::amzn-s3-demo-reports",
                        "Prefix": f"analytics/{report}/",
                    }
                },
            }
        }

    return [
        {
            "Id": "by-prefix",
            "Filter": {"Prefix": "logs/"},
            "StorageClassAnalysis": export("by-prefix"),
        },
        {
            "Id": "by-tag",
            "Filter": {"Tag": {"Key": "env", "Value": "prod"}},
            "StorageClassAnalysis": export("by-tag"),
        },
        {
            "Id": "by-prefix-and-tags",
            "Filter": {
                "And": {
                    "Prefix": "data/",
                    "Tags": [
                        {"Key": "team", "Value": "storage"},
                        {"Key": "tier", "Value": "hot"},
                    ],
                }
            },
            "StorageClassAnalysis": export("by-prefix-and-tags"),
        },
    ]


class Failure(Exception):
    pass


def differences(expected, actual, path="AnalyticsConfiguration"):
    """Every field where `actual` differs from `expected`, as `path: a != b`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            found += differences(expected.get(key), actual.get(key), f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items != {len(actual)} items"]
        found = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            found += differences(e, a, f"{path}[{i}]")
        return found
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]


def shown(diff):
    return f": {'; '.join(diff)}" if diff else ""


def client(endpoint, key="AKIAIOSFODNN7EXAMPLE", secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"):
    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(
            s3={"addressing_style": "path"},
            retries={"total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


class Scenario:
    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.s3 = client(endpoint)
        self.checks = 0

    def ok(self, what):
        self.checks += 1
        print(f"{CLIENT}: ok: {what}", flush=True)

    def expect(self, condition, what):
        if not condition:
            raise Failure(what)
        self.ok(what)

    def expect_error(self, code, status, call, **params):
        try:
            call(**params)
        except ClientError as e:
            got = e.response.get("Error", {}).get("Code")
            got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            request_id = e.response.get("ResponseMetadata", {}).get("RequestId")
            if (got, got_status) != (code, status):
                raise Failure(
                    f"{call.__name__}: expected {code} ({status}), got {got} ({got_status})"
                )
            if not request_id:
                raise Failure(f"{call.__name__}: {code} without a request id")
            self.ok(f"{call.__name__} -> {code} ({status}, request id {request_id})")
            return
        raise Failure(f"{call.__name__}: expected {code}, but it succeeded")

    def list_all(self, bucket):
        """Every configuration of `bucket`, page by page, and the page sizes."""
        configs, sizes, token = [], [], None
        while True:
            params = {"Bucket": bucket}
            if token:
                params["ContinuationToken"] = token
            page = self.s3.list_bucket_analytics_configurations(**params)
            items = page.get("AnalyticsConfigurationList", [])
            configs += items
            sizes.append(len(items))
            if token and page.get("ContinuationToken") != token:
                raise Failure("the list does not echo the continuation token")
            if not page["IsTruncated"]:
                if "NextContinuationToken" in page:
                    raise Failure("the last page has a NextContinuationToken")
                return configs, sizes
            token = page["NextContinuationToken"]
            if len(sizes) > LIMIT:
                raise Failure("the list does not end")

    def run(self):
        bucket = f"scenario-{CLIENT}"
        full = f"scenario-{CLIENT}-full"
        missing = f"scenario-{CLIENT}-missing"
        put = configurations()

        self.s3.create_bucket(Bucket=bucket)
        self.s3.head_bucket(Bucket=bucket)
        self.ok(f"create_bucket {bucket}, head_bucket")
        self.expect_error(
            "BucketAlreadyOwnedByYou", 409, self.s3.create_bucket, Bucket=bucket
        )

        for config in put:
            self.s3.put_bucket_analytics_configuration(
                Bucket=bucket, Id=config["Id"], AnalyticsConfiguration=config
            )
        self.ok("put_bucket_analytics_configuration x3 (Prefix, Tag, And filters; CSV export)")

        for config in put:
            got = self.s3.get_bucket_analytics_configuration(Bucket=bucket, Id=config["Id"])
            diff = differences(config, got["AnalyticsConfiguration"])
            self.expect(not diff, f"get {config['Id']}: equal field by field" + shown(diff))

        listed, sizes = self.list_all(bucket)
        expected = sorted(put, key=lambda c: c["Id"])
        self.expect(
            [c["Id"] for c in listed] == [c["Id"] for c in expected] and sizes == [3],
            f"list: {[c['Id'] for c in listed]} in one page",
        )
        diff = [d for e, a in zip(expected, listed) for d in differences(e, a)]
        self.expect(not diff, "list: every configuration equal field by field" + shown(diff))

        self.s3.delete_bucket_analytics_configuration(Bucket=bucket, Id="by-tag")
        self.ok("delete_bucket_analytics_configuration by-tag")
        self.expect_error(
            "NoSuchConfiguration",
            404,
            self.s3.get_bucket_analytics_configuration,
            Bucket=bucket,
            Id="by-tag",
        )
        self.expect_error(
            "NoSuchConfiguration",
            404,
            self.s3.delete_bucket_analytics_configuration,
            Bucket=bucket,
            Id="by-tag",
        )
        listed, _ = self.list_all(bucket)
        self.expect(
            [c["Id"] for c in listed] == ["by-prefix", "by-prefix-and-tags"],
            "list after the delete: by-prefix, by-prefix-and-tags",
        )

        mismatched = dict(put[0], Id="another-id")
        self.expect_error(
            "InvalidArgument",
            400,
            self.s3.put_bucket_analytics_configuration,
            Bucket=bucket,
            Id="by-prefix",
            AnalyticsConfiguration=mismatched,
        )

        self.s3.create_bucket(Bucket=full)
        started = time.monotonic()
        for i in range(LIMIT):
            report = f"report-{i:04}"
            self.s3.put_bucket_analytics_configuration(
                Bucket=full,
                Id=report,
                AnalyticsConfiguration={"Id": report, "StorageClassAnalysis": {}},
            )
        self.ok(f"{LIMIT} configurations put in {time.monotonic() - started:.1f} s")
        self.expect_error(
            "TooManyConfigurations",
            400,
            self.s3.put_bucket_analytics_configuration,
            Bucket=full,
            Id="one-too-many",
            AnalyticsConfiguration={"Id": "one-too-many", "StorageClassAnalysis": {}},
        )
        self.s3.put_bucket_analytics_configuration(
            Bucket=full,
            Id="report-0000",
            AnalyticsConfiguration={
                "Id": "report-0000",
                "Filter": {"Prefix": "again/"},
                "StorageClassAnalysis": {},
            },
        )
        self.ok("replacing a configuration of a full bucket is allowed")
        listed, sizes = self.list_all(full)
        self.expect(
            len(listed) == LIMIT
            and sizes == [PAGE] * (LIMIT // PAGE)
            and [c["Id"] for c in listed] == [f"report-{i:04}" for i in range(LIMIT)],
            f"list of the full bucket: {len(listed)} configurations in pages of {sizes[0]}",
        )

        for call, params in [
            (self.s3.get_bucket_analytics_configuration, {"Id": "by-prefix"}),
            (self.s3.list_bucket_analytics_configurations, {}),
            (self.s3.delete_bucket_analytics_configuration, {"Id": "by-prefix"}),
            (
                self.s3.put_bucket_analytics_configuration,
                {"Id": "by-prefix", "AnalyticsConfiguration": put[0]},
            ),
            (self.s3.delete_bucket, {}),
        ]:
            self.expect_error("NoSuchBucket", 404, call, Bucket=missing, **params)
        self.expect_error("404", 404, self.s3.head_bucket, Bucket=missing)

        for name in (bucket, full):
            self.s3.delete_bucket(Bucket=name)
            self.expect_error("404", 404, self.s3.head_bucket, Bucket=name)

        self.objects()

        # The server checks signatures: a wrong secret and an unknown key
        # are refused as S3 refuses them.
        wrong = client(self.endpoint, secret="not-the-secret")
        self.expect_error(
            "SignatureDoesNotMatch", 403, wrong.list_bucket_analytics_configurations, Bucket=bucket
        )
        stranger = client(self.endpoint, key="AKIDUNKNOWNKEY")
        self.expect_error(
            "InvalidAccessKeyId", 403, stranger.list_bucket_analytics_configurations, Bucket=bucket
        )


    def objects(self):
        """Objects: put, read by range, list, copy, multipart, delete."""
        bucket = f"scenario-{CLIENT}-objects"
        self.s3.create_bucket(Bucket=bucket)
        keys = {
            "top.txt": b"at the top",
            "dir/one": b"one" * 100,
            "dir/two": b"two",
            "dir/sub/three": b"three",
            "odd key +&=?%20 \u00e9.bin": bytes(range(256)),
        }
        for key, data in keys.items():
            put = self.s3.put_object(
                Bucket=bucket, Key=key, Body=data, ContentType="application/x-test",
                Metadata={"origin": "scenario"},
            )
            if put["ETag"] != f'"{hashlib.md5(data).hexdigest()}"':
                raise Failure(f"put_object {key!r}: ETag {put['ETag']}")
        self.ok(f"put_object: {len(keys)} objects, ETags are their MD5")
        for key, data in keys.items():
            got = self.s3.get_object(Bucket=bucket, Key=key)
            body = got["Body"].read()
            if body != data or got["ContentType"] != "application/x-test" or got["Metadata"] != {
                "origin": "scenario"
            }:
                raise Failure(f"get_object {key!r}: {body[:20]!r} {got['ContentType']} {got['Metadata']}")
        self.ok("get_object: every object with its content type and metadata")
        got = self.s3.get_object(Bucket=bucket, Key="dir/one", Range="bytes=10-19")
        self.expect(
            got["Body"].read() == keys["dir/one"][10:20]
            and got["ContentRange"] == "bytes 10-19/300"
            and got["ResponseMetadata"]["HTTPStatusCode"] == 206,
            "get_object with Range: 206, the 10 bytes and Content-Range",
        )
        got = self.s3.get_object(Bucket=bucket, Key="dir/one", Range="bytes=-5")
        self.expect(got["Body"].read() == keys["dir/one"][-5:], "get_object with a suffix range")
        self.expect_error("InvalidRange", 416, self.s3.get_object, Bucket=bucket, Key="top.txt", Range="bytes=100-")
        self.expect_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="missing")
        # A digest that is not the body's is refused with S3's BadDigest, and
        # nothing is stored.
        self.expect_error(
            "BadDigest", 400, self.s3.put_object, Bucket=bucket, Key="corrupt", Body=b"data",
            ChecksumCRC32="AAAAAA==",
        )
        self.expect_error(
            "BadDigest", 400, self.s3.put_object, Bucket=bucket, Key="corrupt", Body=b"data",
            ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==",
        )
        self.expect_error("NoSuchKey", 404, self.s3.get_object, Bucket=bucket, Key="corrupt")
        # The checksum an upload sent is stored and announced on a read that
        # asks for it; botocore checks the body against it as it reads.
        put = self.s3.put_object(Bucket=bucket, Key="summed", Body=b"x" * 1000, ChecksumAlgorithm="CRC32")
        got = self.s3.get_object(Bucket=bucket, Key="summed", ChecksumMode="ENABLED")
        self.expect(
            got["Body"].read() == b"x" * 1000
            and put.get("ChecksumCRC32")
            and got.get("ChecksumCRC32") == put["ChecksumCRC32"]
            and got.get("ChecksumType") == "FULL_OBJECT",
            "get_object with ChecksumMode: the CRC32 sent, validated by botocore as it reads",
        )
        self.s3.delete_object(Bucket=bucket, Key="summed")
        head = self.s3.head_object(Bucket=bucket, Key="dir/one")
        self.expect(
            head["ContentLength"] == 300 and head["ETag"] == f'"{hashlib.md5(keys["dir/one"]).hexdigest()}"',
            "head_object: length and ETag",
        )
        self.expect_error("404", 404, self.s3.head_object, Bucket=bucket, Key="missing")

        listed = self.s3.list_objects_v2(Bucket=bucket, Delimiter="/")
        self.expect(
            [o["Key"] for o in listed.get("Contents", [])] == sorted(k for k in keys if "/" not in k)
            and [p["Prefix"] for p in listed.get("CommonPrefixes", [])] == ["dir/"],
            "list_objects_v2 with a delimiter: top-level keys and the dir/ prefix",
        )
        seen, token, pages = [], None, 0
        while True:
            params = {"Bucket": bucket, "Prefix": "dir/", "MaxKeys": 1}
            if token:
                params["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**params)
            seen += [o["Key"] for o in page.get("Contents", [])]
            pages += 1
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.expect(
            seen == ["dir/one", "dir/sub/three", "dir/two"] and pages == 3,
            "list_objects_v2 by prefix in pages of one key",
        )

        copied = self.s3.copy_object(
            Bucket=bucket, Key="copy of top", CopySource={"Bucket": bucket, "Key": "odd key +&=?%20 \u00e9.bin"}
        )
        got = self.s3.get_object(Bucket=bucket, Key="copy of top")
        self.expect(
            got["Body"].read() == keys["odd key +&=?%20 \u00e9.bin"]
            and copied["CopyObjectResult"]["ETag"] == got["ETag"],
            "copy_object: the copy has the source's bytes and ETag",
        )

        part = 5 * 1024 * 1024
        data = bytes((i * 7) % 251 for i in range(2 * part + 1000))
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
        etags = []
        for number, start in enumerate(range(0, len(data), part), start=1):
            etags.append(
                self.s3.upload_part(
                    Bucket=bucket, Key="big", UploadId=upload, PartNumber=number,
                    Body=data[start:start + part],
                )["ETag"]
            )
        parts = self.s3.list_parts(Bucket=bucket, Key="big", UploadId=upload)["Parts"]
        self.expect(
            [p["PartNumber"] for p in parts] == [1, 2, 3] and [p["ETag"] for p in parts] == etags,
            "list_parts: three parts with their ETags",
        )
        done = self.s3.complete_multipart_upload(
            Bucket=bucket, Key="big", UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]},
        )
        got = self.s3.get_object(Bucket=bucket, Key="big")
        self.expect(
            got["Body"].read() == data and done["ETag"].endswith('-3"') and got["ETag"] == done["ETag"],
            "multipart upload of 3 parts: the object reads back byte for byte, ETag ends in -3",
        )
        self.expect_error(
            "NoSuchUpload", 404, self.s3.list_parts, Bucket=bucket, Key="big", UploadId=upload
        )
        small = self.s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
        tags = [
            self.s3.upload_part(Bucket=bucket, Key="small", UploadId=small, PartNumber=n, Body=b"x")["ETag"]
            for n in (1, 2)
        ]
        self.expect_error(
            "EntityTooSmall", 400, self.s3.complete_multipart_upload, Bucket=bucket, Key="small",
            UploadId=small,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": t} for n, t in zip((1, 2), tags)]},
        )
        self.s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=small)
        self.expect_error(
            "NoSuchUpload", 404, self.s3.upload_part, Bucket=bucket, Key="small", UploadId=small,
            PartNumber=3, Body=b"y",
        )

        self.expect_error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=bucket)
        deleted = self.s3.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": k} for k in ["dir/one", "dir/two", "not there"]]},
        )
        self.expect(
            sorted(d["Key"] for d in deleted.get("Deleted", [])) == ["dir/one", "dir/two", "not there"],
            "delete_objects: three keys reported deleted",
        )
        remaining = [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        for key in remaining:
            self.s3.delete_object(Bucket=bucket, Key=key)
        self.expect(
            "Contents" not in self.s3.list_objects_v2(Bucket=bucket),
            f"delete_object: the other {len(remaining)} objects deleted",
        )
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.expect(bucket in names, f"list_buckets: {len(names)} buckets, {bucket} among them")
        self.s3.delete_bucket(Bucket=bucket)

def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} http://127.0.0.1:PORT", file=sys.stderr)
        return 2
    started = time.monotonic()
    scenario = Scenario(sys.argv[1])
    try:
        scenario.run()
    except (Failure, ClientError) as e:
        print(f"{CLIENT}: FAILED: {e}", file=sys.stderr)
        return 1
    print(
        f"{CLIENT} {botocore.__version__} scenario: {scenario.checks} checks passed "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
