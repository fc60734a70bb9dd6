#!/usr/bin/env node
/**
 * `npm run demo`: builds the package (with a progress indicator: the build
 * takes several seconds), then runs the demo (dist/examples/demo.js).
 * Plain JavaScript, so it runs before anything is compiled.
 */
const { spawn } = require("child_process");
const path = require("path");
const { withProgress } = require("./demo/progress.js");

const root = path.join(__dirname, "..");

/** Runs a command from the package root; resolves with its exit code. */
function run(cmd, args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function build() {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  return withProgress("building (tsc -b tsconfig.build.json)", () =>
    run(process.execPath, [tsc, "-b", "tsconfig.build.json"], ["ignore", "inherit", "inherit"]),
  );
}

async function main() {
  const built = await build();
  if (built !== 0) {
    process.stderr.write(`the build failed (exit ${built})\n`);
    process.exitCode = built;
    return;
  }
  process.exitCode = await run(
    process.execPath,
    [path.join(root, "dist", "examples", "demo.js"), ...process.argv.slice(2)],
    "inherit",
  );
}

void main();
