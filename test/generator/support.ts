/**
 * Helpers for the generator's tests. Most run the commands in-process on a
 * `MemoryTree` (milliseconds, nothing on disk), formatting with prettier's
 * standalone build (prettier's main entry cannot load inside Jest on Node
 * 20) and the `.prettierrc.json` files of the tree. A few run the built CLI
 * (`npm run build` first) as a subprocess in temporary projects under the
 * repo's gitignored `.scratch/`: exit codes, --help, the real file system.
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
import { dirname, join, posix, relative } from "path";
import type { Options, Plugin } from "prettier";
import { Context, makeContext } from "../../generator/context";
import { ScaffoldError } from "../../generator/errors";
import type { Formatter } from "../../generator/format";
import { MemoryTree } from "../../generator/tree";

export const REPO = join(__dirname, "..", "..");
export const CLI = join(REPO, "generator", "dist", "cli.js");
const SCRATCH = join(REPO, ".scratch");

/* eslint-disable @typescript-eslint/no-require-imports */
const standalone = require("prettier/standalone") as typeof import("prettier/standalone");
const plugins = [
  require("prettier/plugins/typescript"),
  require("prettier/plugins/estree"),
  require("prettier/plugins/babel"),
] as Plugin[];
/* eslint-enable @typescript-eslint/no-require-imports */

/** Formats with prettier's standalone build and the nearest `.prettierrc.json` of `tree`. */
export function memoryFormatter(tree: MemoryTree): Formatter {
  return {
    async options(path) {
      let config: Options = {};
      for (let dir = posix.dirname(path); ; dir = posix.dirname(dir)) {
        const text = tree.read(dir === "." ? ".prettierrc.json" : `${dir}/.prettierrc.json`);
        if (text !== undefined) {
          config = JSON.parse(text);
          break;
        }
        if (dir === ".") break;
      }
      return { ...config, filepath: path };
    },
    format: (text, options) => standalone.format(text, { ...options, plugins }),
  };
}

/** What `scaffold init` writes in a CommonJS project: every command but init needs it. */
export const INITIALIZED: Record<string, string> = {
  "package.json": '{ "name": "app" }\n',
  "jest.config.js": 'module.exports = { preset: "otpkit" };\n',
  "tsconfig.json": '{ "compilerOptions": { "module": "nodenext", "strict": true } }\n',
};

/** A command run in memory: the tree (plan and result), the lines it logged. */
export interface Ran {
  tree: MemoryTree;
  logs: string[];
  /** The files after the command (the original ones with the plan applied). */
  files: Record<string, string>;
}

/** A command's function, as the CLI calls it. */
type Run<A> = (ctx: Context, args: A) => Promise<void>;

/** Runs `command` with `args` on a tree of `files` (run from `cwd`, relative to the root). */
export async function inMemory<A>(
  files: Record<string, string>,
  command: Run<A>,
  args: A & { templates?: string },
  cwd = "",
): Promise<Ran> {
  const tree = new MemoryTree(files);
  const logs: string[] = [];
  const ctx = makeContext(tree, memoryFormatter(tree), args, (l) => logs.push(l), cwd);
  await command(ctx, args);
  return { tree, logs, files: tree.result() };
}

/** The ScaffoldError `p` rejects with (fails the test if it resolves or throws something else). */
export async function failure(p: Promise<unknown>): Promise<ScaffoldError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ScaffoldError)) throw new Error(`expected a ScaffoldError, got ${String(e)}`);
  return e;
}

// ---- subprocess helpers ----

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `scaffold ...args` in `cwd`. */
export function scaffold(cwd: string, ...args: string[]): Result {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Every project gets a package.json: without one, scaffold would take the
 * nearest one above, the repo's own, as the project root.
 */
const PACKAGE_JSON = '{ "name": "app", "private": true }\n';

const made: string[] = [];

/** A fresh project folder under `.scratch/` with a package.json and the given files. Removed after the test file. */
export function project(files: Record<string, string> = {}): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, "gen-"));
  made.push(dir);
  write(dir, { "package.json": PACKAGE_JSON, ".prettierrc.json": "{}\n", ...files });
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

/** Is every line of `before` kept in `after`, in order (only lines added)? */
export function keepsAllLines(before: string, after: string): boolean {
  const b = before.split("\n");
  const a = after.split("\n");
  let i = 0;
  for (const line of a) if (i < b.length && line === b[i]) i++;
  return i === b.length;
}
