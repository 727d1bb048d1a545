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

import {
  CreateBucketCommand,
  DeleteBucketAnalyticsConfigurationCommand,
  DeleteBucketCommand,
  GetBucketAnalyticsConfigurationCommand,
  HeadBucketCommand,
  ListBucketAnalyticsConfigurationsCommand,
  PutBucketAnalyticsConfigurationCommand,
  S3Client,
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
