// SelectObjectContent with @aws-sdk/client-s3: the event stream check of run.sh.
//
//   node js_select.mjs http://127.0.0.1:PORT REQUEST_JSON OUTPUT_JSON
//
// Calls SelectObjectContent with the parameters of REQUEST_JSON on a server
// that answers with the event stream the s3-api crate rendered from
// OUTPUT_JSON ({"Output": {"Payload": [...]}}), and checks that the SDK's
// own event-stream decoder reads every event back, in order, field by field.
// Exits with status 1 on the first difference.
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { S3Client, SelectObjectContentCommand } from "@aws-sdk/client-s3";

for (const name of Object.keys(process.env)) {
  if (name.startsWith("AWS_")) delete process.env[name];
}
process.env.AWS_CONFIG_FILE = "/dev/null";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
process.env.AWS_EC2_METADATA_DISABLED = "true";

const [endpoint, requestJson, outputJson] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestJson, "utf8"));
const want = JSON.parse(readFileSync(outputJson, "utf8")).Output.Payload.map(
  (event) => {
    const [[name, value]] = Object.entries(event);
    return name === "Records"
      ? { Records: { Payload: Array.from(value.Payload) } }
      : { [name]: value };
  },
);

const s3 = new S3Client({
  region: "us-east-1",
  endpoint,
  forcePathStyle: true,
  credentials: {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  },
  maxAttempts: 1,
});

const response = await s3.send(new SelectObjectContentCommand(request));
const got = [];
for await (const event of response.Payload) {
  // One key per event; the SDK may add `$unknown` for unmodeled ones.
  const [[name, value]] = Object.entries(event);
  got.push(
    name === "Records"
      ? { Records: { Payload: Array.from(value.Payload) } }
      : { [name]: JSON.parse(JSON.stringify(value)) },
  );
}
if (!isDeepStrictEqual(got, want)) {
  console.log(
    `FAIL js: events differ\n got: ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`,
  );
  process.exit(1);
}
const kinds = got.map((e) => Object.keys(e)[0]).join(", ");
console.log(`ok js: ${got.length} events read back field by field (${kinds})`);
