// Generates the protobuf-es classes of proto/clubcrm.proto into src/gen/
// (never committed) with Debian's protoc and the protoc-gen-es plugin from
// node_modules. Runs again only when the .proto is newer than the output.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = resolve(web, "../../proto");
const proto = join(protoDir, "clubcrm.proto");
const outDir = join(web, "src/gen");
const out = join(outDir, "clubcrm_pb.ts");
const plugin = join(web, "node_modules/.bin/protoc-gen-es");

export function genProto() {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(proto).mtimeMs) return;
  if (!existsSync(plugin)) throw new Error(`${plugin} is missing: run npm ci in ${web}`);
  mkdirSync(outDir, { recursive: true });
  execFileSync("protoc", [
    `--plugin=protoc-gen-es=${plugin}`,
    `--es_out=${outDir}`,
    "--es_opt=target=ts,import_extension=js",
    `-I${protoDir}`,
    proto,
  ], { stdio: "inherit" });
}

if (import.meta.url === `file://${process.argv[1]}`) genProto();
