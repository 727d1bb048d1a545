"""The AWS CLI (version 1, from PyPI) against an S3 endpoint.

    python awscli_scenario.py AWS_BINARY http://127.0.0.1:PORT

Runs `aws s3` and `aws s3api` commands as a user would, with credentials
and region from the environment and an empty config, and checks what they
print and write:

- `aws s3 mb`, then `aws s3 cp` of a 20 MiB file, which the CLI uploads
  in parts (multipart: its threshold is 8 MiB), and back to a new file,
  byte for byte; the object's ETag says it was made of 3 parts;
- `aws s3 ls` (the buckets), `aws s3 ls s3://bucket/dir/` and
  `--recursive` (the objects);
- `aws s3api put-bucket-analytics-configuration` and its get, list and
  delete, and NoSuchConfiguration once it is gone;
- `aws s3 rm --recursive` and `aws s3 rb`.

The endpoint must accept the access key AKIAIOSFODNN7EXAMPLE with its
documented example secret. Exits non-zero on the first failed check.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

CLIENT = "aws-cli"
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class Failure(Exception):
    pass


class Scenario:
    def __init__(self, aws, endpoint, work):
        self.aws = aws
        self.endpoint = endpoint
        self.work = work
        self.checks = 0
        config = os.path.join(work, "config")
        with open(config, "w") as f:
            f.write("[default]\n")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": work,
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": config,
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(work, "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }

    def run(self, *args, expect_ok=True):
        """Runs `aws ARGS --endpoint-url ...`; returns (exit code, stdout, stderr)."""
        command = [self.aws, *args, "--endpoint-url", self.endpoint]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=300)
        if expect_ok and done.returncode != 0:
            raise Failure(
                f"`aws {' '.join(args)}` exited with {done.returncode}:\n{done.stderr.strip()}"
            )
        return done.returncode, done.stdout, done.stderr

    def ok(self, what):
        self.checks += 1
        print(f"{CLIENT}: ok: {what}", flush=True)

    def expect(self, condition, what):
        if not condition:
            raise Failure(what)
        self.ok(what)

    def scenario(self):
        bucket = "scenario-aws-cli"
        self.run("s3", "mb", f"s3://{bucket}")
        _, out, _ = self.run("s3", "ls")
        self.expect(
            any(line.split()[-1:] == [bucket] for line in out.splitlines()),
            f"aws s3 mb, then aws s3 ls lists {bucket}",
        )

        size = 20 * 1024 * 1024
        source = os.path.join(self.work, "upload.bin")
        with open(source, "wb") as f:
            block = hashlib.sha256(b"aws-cli scenario").digest() * 32768  # 1 MiB
            for i in range(size // len(block)):
                f.write(bytes([i]) + block[1:])
        self.run("s3", "cp", source, f"s3://{bucket}/dir/upload.bin")
        _, out, _ = self.run(
            "s3api", "head-object", "--bucket", bucket, "--key", "dir/upload.bin"
        )
        head = json.loads(out)
        self.expect(
            head["ContentLength"] == size and head["ETag"].endswith('-3"'),
            f"aws s3 cp of {size >> 20} MiB: uploaded in 3 parts (ETag {head['ETag']})",
        )
        back = os.path.join(self.work, "download.bin")
        self.run("s3", "cp", f"s3://{bucket}/dir/upload.bin", back)
        with open(source, "rb") as a, open(back, "rb") as b:
            self.expect(a.read() == b.read(), "aws s3 cp back: byte for byte the same file")

        self.run("s3", "cp", source, f"s3://{bucket}/top level.bin", "--quiet")
        _, out, _ = self.run("s3", "ls", f"s3://{bucket}/dir/")
        self.expect(
            out.split()[-2:] == [str(size), "upload.bin"],
            "aws s3 ls s3://bucket/dir/: the object with its size",
        )
        _, out, _ = self.run("s3", "ls", f"s3://{bucket}")
        self.expect(
            "PRE dir/" in out and "top level.bin" in out,
            "aws s3 ls s3://bucket: the dir/ prefix and the top-level object",
        )
        _, out, _ = self.run("s3", "ls", f"s3://{bucket}", "--recursive")
        keys = sorted(line.split(maxsplit=3)[3] for line in out.splitlines())
        self.expect(
            keys == ["dir/upload.bin", "top level.bin"], "aws s3 ls --recursive: both keys"
        )

        config = {
            "Id": "cli-report",
            "Filter": {"And": {"Prefix": "dir/", "Tags": [{"Key": "team", "Value": "data"}]}},
            "StorageClassAnalysis": {
                "DataExport": {
                    "OutputSchemaVersion": "V_1",
                    "Destination": {
                        "S3BucketDestination": {
                            "Format": "CSV",
                            "Bucket": "arn:aws:s3:::reports",
                            "Prefix": "analytics/",
                        }
                    },
                }
            },
        }
        self.run(
            "s3api", "put-bucket-analytics-configuration", "--bucket", bucket,
            "--id", "cli-report", "--analytics-configuration", json.dumps(config),
        )
        _, out, _ = self.run(
            "s3api", "get-bucket-analytics-configuration", "--bucket", bucket, "--id", "cli-report"
        )
        self.expect(
            json.loads(out)["AnalyticsConfiguration"] == config,
            "s3api put-bucket-analytics-configuration, then get: the same configuration",
        )
        _, out, _ = self.run("s3api", "list-bucket-analytics-configurations", "--bucket", bucket)
        listed = json.loads(out)
        self.expect(
            listed["AnalyticsConfigurationList"] == [config] and listed["IsTruncated"] is False,
            "s3api list-bucket-analytics-configurations: the one configuration",
        )
        self.run(
            "s3api", "delete-bucket-analytics-configuration", "--bucket", bucket, "--id", "cli-report"
        )
        code, _, err = self.run(
            "s3api", "get-bucket-analytics-configuration", "--bucket", bucket, "--id", "cli-report",
            expect_ok=False,
        )
        self.expect(
            code != 0 and "NoSuchConfiguration" in err,
            "s3api delete-bucket-analytics-configuration, then get: NoSuchConfiguration",
        )

        self.run("s3", "rm", f"s3://{bucket}", "--recursive", "--quiet")
        _, out, _ = self.run("s3", "ls", f"s3://{bucket}", "--recursive", expect_ok=False)
        self.expect(out.strip() == "", "aws s3 rm --recursive: the bucket is empty")
        self.run("s3", "rb", f"s3://{bucket}")
        _, out, _ = self.run("s3", "ls")
        self.expect(bucket not in out, "aws s3 rb: the bucket is gone")


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} AWS_BINARY http://127.0.0.1:PORT", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="awscli-scenario-") as work:
        scenario = Scenario(sys.argv[1], sys.argv[2], work)
        try:
            scenario.scenario()
        except (Failure, subprocess.TimeoutExpired) as e:
            print(f"{CLIENT}: FAILED: {e}", file=sys.stderr)
            return 1
        _, out, err = scenario.run("--version")
    version = (out.strip() or err.strip()).split(" ")[0]
    print(
        f"{CLIENT} scenario ({version}): {scenario.checks} checks passed "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
