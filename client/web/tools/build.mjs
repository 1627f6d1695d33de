// Builds the web desk into OUT (default ../../build/client/web/dist):
// generates the protobuf classes, bundles src/main.ts and src/styles.css
// with esbuild under content-hashed names in OUT/assets/, and writes
// OUT/index.html naming them (no inline script: the server's CSP forbids it).
// With --tests it also bundles test/*/*.test.ts into OUT/../tests/.
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join, resolve, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { genProto } from "./gen-proto.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIdx = args.indexOf("--out");
const out = resolve(outIdx >= 0 ? args[outIdx + 1] : join(web, "../../build/client/web/dist"));
const withTests = args.includes("--tests");
const depIdx = args.indexOf("--depfile");
const depfile = depIdx >= 0 ? resolve(args[depIdx + 1]) : null;
const inputs = new Set([join(web, "src/index.html"), join(web, "tools/build.mjs"), join(web, "tools/gen-proto.mjs"),
  join(web, "package-lock.json"), resolve(web, "../../proto/clubcrm.proto")]);
const dev = args.includes("--dev");

genProto();

const assets = join(out, "assets");
rmSync(assets, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(web, "src/main.ts"), style: join(web, "src/styles.css") },
  bundle: true,
  format: "esm",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  outdir: assets,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

for (const i of Object.keys(result.metafile.inputs)) inputs.add(resolve(web, i));
const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((n) => n.startsWith("app-") && n.endsWith(".js"));
const css = outputs.find((n) => n.startsWith("style-") && n.endsWith(".css"));
if (!js || !css) throw new Error(`bundle outputs missing: ${outputs.join(", ")}`);

const html = readFileSync(join(web, "src/index.html"), "utf8")
  .replace("%APP_JS%", `/assets/${js}`)
  .replace("%APP_CSS%", `/assets/${css}`);
writeFileSync(join(out, "index.html"), html);

if (withTests) {
  // test/<suite>/*.test.ts -> OUT/../tests/<suite>/*.test.mjs (and
  // bench/*.bench.ts -> OUT/../bench/*.bench.mjs), bundled with
  // their packages but for playwright-core, which the browser tests load
  // from this directory's node_modules (CLUBCRM_WEB_SRC).
  const testOut = join(out, "..", "tests");
  rmSync(testOut, { recursive: true, force: true });
  const suites = readdirSync(join(web, "test")).map((s) => ({ name: s, dir: join(web, "test", s), ext: ".test.ts" }));
  suites.push({ name: "../bench", dir: join(web, "bench"), ext: ".bench.ts" });
  for (const { name: suite, dir, ext } of suites) {
    let names;
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(ext));
    } catch {
      continue;
    }
    // The folder too: a test file added to it changes its time, so the
    // next build bundles the new file (its name is in no depfile yet).
    inputs.add(dir);
    if (!names.length) continue;
    const r = await esbuild.build({
      metafile: true,
      entryPoints: names.map((n) => join(dir, n)),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outdir: join(testOut, suite),
      outExtension: { ".js": ".mjs" },
      external: ["playwright-core"],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: "warning",
    });
    for (const i of Object.keys(r.metafile.inputs)) inputs.add(resolve(web, i));
  }
}

// For CMake (add_custom_command DEPFILE): what the build read, without
// node_modules (the npm ci stamp stands for those).
if (depfile) {
  const esc = (p) => p.replace(/ /g, "\\ ");
  const deps = [...inputs].filter((p) => !p.includes("/node_modules/") && !p.includes("/src/gen/")).sort();
  writeFileSync(depfile, `${esc(join(out, "index.html"))}: ${deps.map(esc).join(" \\\n  ")}\n`);
}

let bytes = 0;
for (const n of readdirSync(assets)) bytes += readFileSync(join(assets, n)).length;
console.log(`web desk: ${out} (${js}, ${css}; ${bytes} bytes)`);
