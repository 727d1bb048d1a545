// The analytics scenario with @aws-sdk/client-s3, the AWS SDK for JavaScript v3.
//
//     node js_scenario.mjs http://127.0.0.1:PORT
//
// Runs against the `analytics-server` example of the s3-api crate (see the
// README, "Test server and real clients"): path-style addressing, a dummy
// region and static dummy credentials (the server does not check
// signatures). Node resolves the SDK from the node_modules next to this
// file: .ci/run installs package.json and package-lock.json into a scratch
// directory and runs a copy of this script there. Prints one line per check;
// exits with status 1 at the first failure.

import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";

import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketAnalyticsConfigurationCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketAnalyticsConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketAnalyticsConfigurationsCommand,
  ListObjectsV2Command,
  PutBucketAnalyticsConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";

// Only what this script says: no profile, region or endpoint from the machine
// (the SDK reads them when the client is created, below).
for (const name of Object.keys(process.env)) {
  if (name.startsWith("AWS_")) delete process.env[name];
}
process.env.AWS_CONFIG_FILE = "/dev/null";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
process.env.AWS_EC2_METADATA_DISABLED = "true";

const CLIENT = "js";
const LIMIT = 1000;
const PAGE = 100;
const SDK_VERSION = createRequire(import.meta.url)("@aws-sdk/client-s3/package.json").version;

class Failure extends Error {}

/** Three configurations: every filter kind, each with a CSV data export. */
function configurations() {
  const exportTo = (report) => ({
    DataExport: {
      OutputSchemaVersion: "V_1",
      Destination: {
        S3BucketDestination: {
          Format: "CSV",
          BucketAccountId: "123456789012",
          Bucket: "arn:aws:s3:::amzn-s3-demo-reports",
          Prefix: `analytics/${report}/`,
        },
      },
    },
  });
  return [
    { Id: "by-prefix", Filter: { Prefix: "logs/" }, StorageClassAnalysis: exportTo("by-prefix") },
    {
      Id: "by-tag",
      Filter: { Tag: { Key: "env", Value: "prod" } },
      StorageClassAnalysis: exportTo("by-tag"),
    },
    {
      Id: "by-prefix-and-tags",
      Filter: {
        And: {
          Prefix: "data/",
          Tags: [
            { Key: "team", Value: "storage" },
            { Key: "tier", Value: "hot" },
          ],
        },
      },
      StorageClassAnalysis: exportTo("by-prefix-and-tags"),
    },
  ];
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every field where `actual` differs from `expected`, as `path: a != b`. */
function differences(expected, actual, path = "AnalyticsConfiguration") {
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => differences(expected[k], actual[k], `${path}.${k}`));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      return [`${path}: ${expected.length} items != ${actual.length} items`];
    }
    return expected.flatMap((e, i) => differences(e, actual[i], `${path}[${i}]`));
  }
  return expected === actual
    ? []
    : [`${path}: ${JSON.stringify(expected)} != ${JSON.stringify(actual)}`];
}

const shown = (diff) => (diff.length ? `: ${diff.join("; ")}` : "");

const client = (
  endpoint,
  accessKeyId = "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
) =>
  new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });

class Scenario {
  constructor(endpoint) {
    this.endpoint = endpoint;
    this.s3 = client(endpoint);
    this.checks = 0;
  }

  ok(what) {
    this.checks += 1;
    console.log(`${CLIENT}: ok: ${what}`);
  }

  expect(condition, what) {
    if (!condition) throw new Failure(what);
    this.ok(what);
  }

  send(command) {
    return this.s3.send(command);
  }

  async expectError(code, status, command, s3 = this.s3) {
    const name = command.constructor.name;
    try {
      await s3.send(command);
    } catch (e) {
      const gotStatus = e.$metadata?.httpStatusCode;
      const requestId = e.$metadata?.requestId;
      if (e.name !== code || gotStatus !== status) {
        throw new Failure(`${name}: expected ${code} (${status}), got ${e.name} (${gotStatus}): ${e.message}`);
      }
      if (!requestId) throw new Failure(`${name}: ${code} without a request id`);
      this.ok(`${name} -> ${code} (${status}, request id ${requestId})`);
      return;
    }
    throw new Failure(`${name}: expected ${code}, but it succeeded`);
  }

  /** Every configuration of `bucket`, page by page, and the page sizes. */
  async listAll(bucket) {
    const configs = [];
    const sizes = [];
    let token;
    for (;;) {
      const page = await this.send(
        new ListBucketAnalyticsConfigurationsCommand({ Bucket: bucket, ContinuationToken: token }),
      );
      const items = page.AnalyticsConfigurationList ?? [];
      configs.push(...items);
      sizes.push(items.length);
      if (token && page.ContinuationToken !== token) {
        throw new Failure("the list does not echo the continuation token");
      }
      if (!page.IsTruncated) {
        if (page.NextContinuationToken !== undefined) {
          throw new Failure("the last page has a NextContinuationToken");
        }
        return { configs, sizes };
      }
      token = page.NextContinuationToken;
      if (sizes.length > LIMIT) throw new Failure("the list does not end");
    }
  }

  /** Objects: the SDK's default checksums (aws-chunked trailers), ranges, lists, multipart. */
  async objects() {
    const bucket = `scenario-${CLIENT}-objects`;
    await this.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = {
      "a/one.txt": "one",
      "a/two.txt": "two".repeat(1000),
      "b c+d%e\u00e9.txt": "odd key",
    };
    for (const [Key, Body] of Object.entries(keys)) {
      await this.send(new PutObjectCommand({ Bucket: bucket, Key, Body, Metadata: { origin: "js" } }));
    }
    for (const [Key, Body] of Object.entries(keys)) {
      const got = await this.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const text = await got.Body.transformToString();
      if (text !== Body || got.Metadata?.origin !== "js") {
        throw new Failure(`GetObject ${Key}: ${text.slice(0, 20)} ${JSON.stringify(got.Metadata)}`);
      }
    }
    this.ok(`PutObject x${Object.keys(keys).length} (with the SDK's checksums), GetObject reads each back`);
    // A stream of known length: the SDK sends it aws-chunked, its CRC32 in a trailer.
    const streamed = Buffer.alloc(100_000, 3);
    await this.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "streamed",
        Body: Readable.from([streamed.subarray(0, 60_000), streamed.subarray(60_000)]),
        ContentLength: streamed.length,
      }),
    );
    const back = await this.send(new GetObjectCommand({ Bucket: bucket, Key: "streamed" }));
    this.expect(
      Buffer.from(await back.Body.transformToByteArray()).equals(streamed),
      "PutObject of a stream (aws-chunked with a trailing checksum) reads back",
    );
    const range = await this.send(new GetObjectCommand({ Bucket: bucket, Key: "a/two.txt", Range: "bytes=3-5" }));
    this.expect(
      (await range.Body.transformToString()) === "two" && range.ContentRange === "bytes 3-5/3000",
      "GetObject with Range: the 3 bytes and Content-Range",
    );
    const head = await this.send(new HeadObjectCommand({ Bucket: bucket, Key: "a/two.txt" }));
    this.expect(head.ContentLength === 3000, "HeadObject: ContentLength 3000");
    await this.expectError("NotFound", 404, new HeadObjectCommand({ Bucket: bucket, Key: "missing" }));
    const listed = await this.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    this.expect(
      JSON.stringify((listed.CommonPrefixes ?? []).map((p) => p.Prefix)) === JSON.stringify(["a/"]) &&
        JSON.stringify((listed.Contents ?? []).map((o) => o.Key)) === JSON.stringify(["b c+d%e\u00e9.txt", "streamed"]),
      "ListObjectsV2 with a delimiter: the a/ prefix and the top-level keys",
    );
    await this.send(
      new CopyObjectCommand({ Bucket: bucket, Key: "copy", CopySource: `${bucket}/${encodeURIComponent("a/one.txt")}` }),
    );
    const copy = await this.send(new GetObjectCommand({ Bucket: bucket, Key: "copy" }));
    this.expect((await copy.Body.transformToString()) === "one", "CopyObject: the copy reads back");

    const part = 5 * 1024 * 1024;
    const data = Buffer.alloc(part + 10, 7);
    const { UploadId } = await this.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "big" }));
    const parts = [];
    for (const [PartNumber, slice] of [[1, data.subarray(0, part)], [2, data.subarray(part)]]) {
      const { ETag } = await this.send(
        new UploadPartCommand({ Bucket: bucket, Key: "big", UploadId, PartNumber, Body: slice }),
      );
      parts.push({ PartNumber, ETag });
    }
    await this.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "big", UploadId, MultipartUpload: { Parts: parts } }),
    );
    const big = await this.send(new GetObjectCommand({ Bucket: bucket, Key: "big" }));
    const bytes = Buffer.from(await big.Body.transformToByteArray());
    this.expect(bytes.equals(data) && big.ETag.endsWith('-2"'), "multipart upload of 2 parts reads back byte for byte");

    const all = await this.send(new ListObjectsV2Command({ Bucket: bucket }));
    const deleted = await this.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: all.Contents.map((o) => ({ Key: o.Key })) } }),
    );
    this.expect(deleted.Deleted.length === all.Contents.length, `DeleteObjects: ${all.Contents.length} objects`);
    await this.send(new DeleteBucketCommand({ Bucket: bucket }));
  }

  async run() {
    const bucket = `scenario-${CLIENT}`;
    const full = `scenario-${CLIENT}-full`;
    const missing = `scenario-${CLIENT}-missing`;
    const put = configurations();

    await this.send(new CreateBucketCommand({ Bucket: bucket }));
    await this.send(new HeadBucketCommand({ Bucket: bucket }));
    this.ok(`CreateBucket ${bucket}, HeadBucket`);
    await this.expectError("BucketAlreadyOwnedByYou", 409, new CreateBucketCommand({ Bucket: bucket }));

    for (const config of put) {
      await this.send(
        new PutBucketAnalyticsConfigurationCommand({
          Bucket: bucket,
          Id: config.Id,
          AnalyticsConfiguration: config,
        }),
      );
    }
    this.ok("PutBucketAnalyticsConfiguration x3 (Prefix, Tag, And filters; CSV export)");

    for (const config of put) {
      const got = await this.send(
        new GetBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: config.Id }),
      );
      const diff = differences(config, got.AnalyticsConfiguration);
      this.expect(diff.length === 0, `get ${config.Id}: equal field by field${shown(diff)}`);
    }

    let { configs: listed, sizes } = await this.listAll(bucket);
    const expected = [...put].sort((a, b) => (a.Id < b.Id ? -1 : 1));
    const ids = (list) => list.map((c) => c.Id).join(",");
    this.expect(
      ids(listed) === ids(expected) && sizes.join() === "3",
      `list: ${ids(listed)} in one page`,
    );
    const diff = expected.flatMap((e, i) => differences(e, listed[i]));
    this.expect(diff.length === 0, `list: every configuration equal field by field${shown(diff)}`);

    await this.send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "by-tag" }));
    this.ok("DeleteBucketAnalyticsConfiguration by-tag");
    await this.expectError(
      "NoSuchConfiguration",
      404,
      new GetBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "by-tag" }),
    );
    await this.expectError(
      "NoSuchConfiguration",
      404,
      new DeleteBucketAnalyticsConfigurationCommand({ Bucket: bucket, Id: "by-tag" }),
    );
    ({ configs: listed } = await this.listAll(bucket));
    this.expect(
      ids(listed) === "by-prefix,by-prefix-and-tags",
      "list after the delete: by-prefix, by-prefix-and-tags",
    );

    await this.expectError(
      "InvalidArgument",
      400,
      new PutBucketAnalyticsConfigurationCommand({
        Bucket: bucket,
        Id: "by-prefix",
        AnalyticsConfiguration: { ...put[0], Id: "another-id" },
      }),
    );

    await this.send(new CreateBucketCommand({ Bucket: full }));
    const started = performance.now();
    const report = (i) => `report-${String(i).padStart(4, "0")}`;
    for (let i = 0; i < LIMIT; i++) {
      await this.send(
        new PutBucketAnalyticsConfigurationCommand({
          Bucket: full,
          Id: report(i),
          AnalyticsConfiguration: { Id: report(i), StorageClassAnalysis: {} },
        }),
      );
    }
    this.ok(`${LIMIT} configurations put in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await this.expectError(
      "TooManyConfigurations",
      400,
      new PutBucketAnalyticsConfigurationCommand({
        Bucket: full,
        Id: "one-too-many",
        AnalyticsConfiguration: { Id: "one-too-many", StorageClassAnalysis: {} },
      }),
    );
    await this.send(
      new PutBucketAnalyticsConfigurationCommand({
        Bucket: full,
        Id: report(0),
        AnalyticsConfiguration: { Id: report(0), Filter: { Prefix: "again/" }, StorageClassAnalysis: {} },
      }),
    );
    this.ok("replacing a configuration of a full bucket is allowed");
    ({ configs: listed, sizes } = await this.listAll(full));
    const all = Array.from({ length: LIMIT }, (_, i) => report(i)).join(",");
    this.expect(
      listed.length === LIMIT &&
        sizes.join() === Array(LIMIT / PAGE).fill(PAGE).join() &&
        ids(listed) === all,
      `list of the full bucket: ${listed.length} configurations in pages of ${sizes[0]}`,
    );

    for (const command of [
      new GetBucketAnalyticsConfigurationCommand({ Bucket: missing, Id: "by-prefix" }),
      new ListBucketAnalyticsConfigurationsCommand({ Bucket: missing }),
      new DeleteBucketAnalyticsConfigurationCommand({ Bucket: missing, Id: "by-prefix" }),
      new PutBucketAnalyticsConfigurationCommand({
        Bucket: missing,
        Id: "by-prefix",
        AnalyticsConfiguration: put[0],
      }),
      new DeleteBucketCommand({ Bucket: missing }),
    ]) {
      await this.expectError("NoSuchBucket", 404, command);
    }
    await this.expectError("NotFound", 404, new HeadBucketCommand({ Bucket: missing }));

    for (const name of [bucket, full]) {
      await this.send(new DeleteBucketCommand({ Bucket: name }));
      await this.expectError("NotFound", 404, new HeadBucketCommand({ Bucket: name }));
    }

    await this.objects();

    // The server checks signatures: a wrong secret and an unknown key are
    // refused as S3 refuses them.
    const list = () => new ListBucketAnalyticsConfigurationsCommand({ Bucket: bucket });
    await this.expectError("SignatureDoesNotMatch", 403, list(), client(this.endpoint, undefined, "not-the-secret"));
    await this.expectError("InvalidAccessKeyId", 403, list(), client(this.endpoint, "AKIDUNKNOWNKEY"));
  }
}

async function main() {
  if (process.argv.length !== 3) {
    console.error(`usage: node ${process.argv[1]} http://127.0.0.1:PORT`);
    return 2;
  }
  const started = performance.now();
  const scenario = new Scenario(process.argv[2]);
  try {
    await scenario.run();
  } catch (e) {
    console.error(`${CLIENT}: FAILED: ${e instanceof Failure ? e.message : e.stack ?? e}`);
    return 1;
  } finally {
    scenario.s3.destroy();
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${CLIENT} @aws-sdk/client-s3 ${SDK_VERSION} scenario: ${scenario.checks} checks passed in ${secs} s`,
  );
  return 0;
}

process.exitCode = await main();
