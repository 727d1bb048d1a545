"""SelectObjectContent with botocore: the event stream check of run.sh.

    python botocore_select.py http://127.0.0.1:PORT REQUEST_JSON OUTPUT_JSON

Calls SelectObjectContent with the parameters of REQUEST_JSON on a server that answers with the event stream
the s3-api crate rendered from OUTPUT_JSON (`{"Output": {"Payload": [...]}}`),
and checks that botocore's own event-stream parser reads every event back,
in order, field by field. Exits with status 1 on the first difference.
"""

import json
import os
import sys

for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402


def expected_events(path):
    """The events of OUTPUT_JSON as botocore presents them (bytes payloads)."""
    events = []
    for event in json.load(open(path))["Output"]["Payload"]:
        ((name, value),) = event.items()
        if name == "Records":
            value = {"Payload": bytes(value["Payload"])}
        events.append({name: value})
    return events


def main():
    endpoint, request_json, output_json = sys.argv[1:4]
    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 0}),
    )
    response = client.select_object_content(**json.load(open(request_json)))
    got = list(response["Payload"])
    want = expected_events(output_json)
    if got != want:
        print(f"FAIL botocore: events differ\n got: {got}\nwant: {want}")
        sys.exit(1)
    kinds = ", ".join(next(iter(e)) for e in got)
    print(f"ok botocore: {len(got)} events read back field by field ({kinds})")


if __name__ == "__main__":
    main()
