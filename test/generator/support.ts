/**
 * Helpers for the generator's tests: the built CLI run as a subprocess
 * (`npm run build` first), in temporary projects under the repo's gitignored
 * `.scratch/` (so `node_modules` resolution reaches the repo's TypeScript,
 * Jest and @types, and `node_modules/otpkit` can be a symlink to the repo).
 * Each project has an empty `.prettierrc.json`, so prettier's defaults
 * apply and the repo's own config does not leak in.
 */
import { spawnSync } from "child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "fs";
import { dirname, join, relative } from "path";

export const REPO = join(__dirname, "..", "..");
export const CLI = join(REPO, "generator", "dist", "cli.js");
const SCRATCH = join(REPO, ".scratch");

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scaffold ...args` in `cwd`. */
export function scaffold(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const made: string[] = [];

/** A fresh project folder with the given files. Removed after the test file. */
export function project(files: Record<string, string> = {}): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, "gen-"));
  made.push(dir);
  write(dir, { ".prettierrc.json": "{}\n", ...files });
  return dir;
}

afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** Writes files (paths relative to `dir`). */
export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

/** Every file under `dir` (but node_modules) and its content: to check that nothing was written. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      if (e === "node_modules") continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** Is `sub` a subsequence of `lines` (every line kept, in order)? */
export function keepsAllLines(before: string, after: string): boolean {
  const b = before.split("\n");
  const a = after.split("\n");
  let i = 0;
  for (const line of a) if (i < b.length && line === b[i]) i++;
  return i === b.length;
}
