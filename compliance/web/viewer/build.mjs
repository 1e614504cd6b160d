// Bundles src/viewer.js and three.js into one minified IIFE: ../static/build/viewer.js.
// Run by scripts/build_viewer.sh (after `npm ci`), or `npm run build` here.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [path.join(here, "src", "viewer.js")],
  outfile: path.join(here, "..", "static", "build", "viewer.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  legalComments: "eof",        // three.js's MIT licence notice stays in the bundle
  logLevel: "warning",
});
