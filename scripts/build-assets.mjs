// Front-end build: `npm run build`.
//
// Writes static_build/ (git-ignored; Django serves it through STATICFILES_DIRS
// under /static/):
//
//   css/app.css, css/app.css.map   frontend/scss/app.scss compiled with Dart Sass
//   govuk/assets/                  GOV.UK Frontend images and manifest (no fonts),
//                                  plus MoJ Frontend's images, which the CSS
//                                  expects there as well (see app.scss)
//   moj/assets/                    MoJ Frontend images
//   js/govuk-frontend.min.js(.map) GOV.UK Frontend ES module bundle
//   js/moj-frontend.min.js(.map)   MoJ Frontend ES module bundle
//   js/*                           the service's own scripts from frontend/js/
//
// The Sass is compiled in memory first, so a Sass error exits non-zero and
// leaves any previous static_build/ untouched. static_build/ is then rebuilt
// from scratch, so the output depends only on the sources and node_modules.
// No stamp files here: the Makefile decides when to run this.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "static_build");
const govukDist = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const mojDist = path.join(root, "node_modules", "@ministryofjustice", "frontend", "moj");
const scssEntry = path.join(root, "frontend", "scss", "app.scss");
const jsSourceDir = path.join(root, "frontend", "js");

// Must match STATIC_URL and the asset paths set in frontend/scss/app.scss.
const staticUrl = "/static/";

class BuildError extends Error {}

function rel(p) {
  return path.relative(root, p) || ".";
}

function requireFile(p) {
  if (!fs.statSync(p, { throwIfNoEntry: false })?.isFile()) {
    throw new BuildError(`missing ${rel(p)} (run "npm ci"?)`);
  }
}

// MoJ Frontend 11.1 still calls GOV.UK Frontend's deprecated govuk-text-colour
// mixin, which warns with @warn (quietDeps does not cover that). Hide only that
// warning, only when it comes from MoJ Frontend; print every other one.
function logSassWarning(message, { deprecation, span, stack }) {
  if (message.includes("`govuk-text-colour` mixin is deprecated") && stack?.includes("@ministryofjustice/frontend")) {
    return;
  }
  const where = stack || (span?.url ? `${rel(fileURLToPath(span.url))} ${span.start.line + 1}:${span.start.column + 1}` : "");
  console.warn(`Sass ${deprecation ? "deprecation " : ""}warning: ${message}${where ? `\n${where}` : ""}`);
}

function compileCss() {
  const cssDir = path.join(outDir, "css");
  let result;
  try {
    result = sass.compile(scssEntry, {
      style: "compressed",
      // MoJ Frontend loads "node_modules/govuk-frontend/dist/govuk/base",
      // relative to the project root.
      loadPaths: [root],
      // "pkg:" URLs, resolved from the project's node_modules.
      importers: [new sass.NodePackageImporter(root)],
      // Deprecation warnings inside GOV.UK / MoJ Frontend are theirs to fix.
      quietDeps: true,
      logger: { warn: logSassWarning },
      sourceMap: true,
      sourceMapIncludeSources: true,
    });
  } catch (error) {
    if (error instanceof sass.Exception) {
      throw new BuildError(`Sass error\n${error.message}`);
    }
    throw error;
  }

  const css = result.css;
  if (/GDS Transport/i.test(css) || /@font-face/i.test(css)) {
    throw new BuildError("compiled CSS contains GDS Transport or an @font-face rule");
  }

  // Source map with paths relative to static_build/css/, not absolute ones, so
  // the output is the same on every machine.
  const map = result.sourceMap;
  map.file = "app.css";
  map.sources = map.sources.map((source) =>
    source.startsWith("file:")
      ? path.relative(cssDir, fileURLToPath(source)).split(path.sep).join("/")
      : source,
  );

  return {
    css: `${css}\n/*# sourceMappingURL=app.css.map */\n`,
    map: `${JSON.stringify(map)}\n`,
  };
}

// Copy a directory tree, in sorted order, optionally skipping some entries;
// refuse to overwrite a different file (two packages shipping the same name).
function copyTree(from, to, { skip = [] } = {}) {
  fs.mkdirSync(to, { recursive: true });
  const entries = fs.readdirSync(from, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (skip.includes(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyTree(source, target);
    } else if (entry.isFile()) {
      copyFile(source, target);
    }
  }
}

function copyFile(source, target) {
  requireFile(source);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  if (existing) {
    if (!fs.readFileSync(source).equals(fs.readFileSync(target))) {
      throw new BuildError(`${rel(target)} would be overwritten by a different ${rel(source)}`);
    }
    return;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, target);
}

function checkNoMomentImport(file) {
  const code = fs.readFileSync(file, "utf8");
  if (/\b(?:from|import)\s*\(?\s*["']moment["']/.test(code)) {
    throw new BuildError(`${rel(file)} imports moment, which is not installed`);
  }
}

// Every url(/static/...) in the CSS must exist, or collectstatic with the
// manifest storage fails (and the browser gets a 404).
function checkCssUrls(css) {
  const missing = new Set();
  for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const url = match[1];
    if (!url.startsWith(staticUrl)) continue;
    const file = path.join(outDir, url.slice(staticUrl.length).split(/[?#]/)[0]);
    if (!fs.existsSync(file)) missing.add(url);
  }
  if (missing.size) {
    throw new BuildError(`CSS refers to files not in static_build/: ${[...missing].sort().join(", ")}`);
  }
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

function main() {
  requireFile(scssEntry);
  requireFile(path.join(govukDist, "govuk-frontend.min.js"));
  requireFile(path.join(mojDist, "moj-frontend.min.js"));

  // 1. Everything that can fail on the sources, before touching static_build/.
  const { css, map } = compileCss();
  const mojJs = path.join(mojDist, "moj-frontend.min.js");
  checkNoMomentImport(mojJs);

  // 2. Rebuild static_build/ from scratch.
  fs.rmSync(outDir, { recursive: true, force: true });

  fs.mkdirSync(path.join(outDir, "css"), { recursive: true });
  fs.writeFileSync(path.join(outDir, "css", "app.css"), css);
  fs.writeFileSync(path.join(outDir, "css", "app.css.map"), map);

  // GOV.UK Frontend assets; its fonts are GDS Transport, which this service
  // must not use (and the CSS does not refer to them).
  const govukAssets = path.join(outDir, "govuk", "assets");
  copyTree(path.join(govukDist, "assets"), govukAssets, { skip: ["fonts"] });

  // MoJ Frontend assets, in their own folder, and its images also next to
  // GOV.UK's, where the CSS looks for them ($moj-assets-path is also
  // $govuk-assets-path).
  copyTree(path.join(mojDist, "assets"), path.join(outDir, "moj", "assets"));
  copyTree(path.join(mojDist, "assets", "images"), path.join(govukAssets, "images"));

  // JavaScript: the two ES module bundles (with their source maps, which the
  // manifest storage expects next to them) and our own scripts.
  const jsOut = path.join(outDir, "js");
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    copyFile(path.join(govukDist, name), path.join(jsOut, name));
  }
  for (const name of ["moj-frontend.min.js", "moj-frontend.min.js.map"]) {
    copyFile(path.join(mojDist, name), path.join(jsOut, name));
  }
  copyTree(jsSourceDir, jsOut);

  checkCssUrls(css);

  const files = listFiles(outDir);
  for (const file of files) {
    const size = fs.statSync(file).size;
    console.log(`${String(size).padStart(9)}  ${rel(file)}`);
  }
  console.log(`Built ${rel(outDir)}/ (${files.length} files) with Sass ${sass.info.split("\t")[1] ?? ""}`);
}

try {
  main();
} catch (error) {
  console.error(`build-assets: ${error instanceof BuildError ? error.message : error.stack}`);
  process.exitCode = 1;
}
