/**
 * Path safety and atomic writes. A command first builds a plan (every file
 * rendered and formatted), then `commit` checks it and writes it: each file
 * to a temporary file beside its target, then renamed over it; if any step
 * fails, what was already renamed is rolled back, so a failure leaves no
 * half-written file and no partial set.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from "fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "path";
import { badInput, refused } from "./errors";
import { unifiedDiff } from "./diff";
import type { PlannedFile } from "./tree";

/** How to commit a plan. */
export interface CommitOptions {
  /** The project root (absolute): plan paths are relative to it. */
  root: string;
  force: boolean;
  dryRun: boolean;
  log: (line: string) => void;
}

const inside = (root: string, p: string) => {
  const r = relative(root, p);
  return r === "" || (!r.startsWith(".." + sep) && r !== ".." && !isAbsolute(r));
};

/**
 * Resolves `target` (relative to `root`, or absolute) to a path inside the
 * project: refuses `..` escapes, absolute paths elsewhere, and symlinks (in
 * the target or any existing parent) that lead outside.
 */
export function safePath(root: string, target: string, given = target): string {
  const realRoot = realpathSync(root);
  const abs = resolve(realRoot, target);
  if (!inside(realRoot, abs))
    throw badInput(
      `Refusing ${JSON.stringify(given)}: it is outside the project root ${realRoot}. ` +
        `Give a path inside the project (relative paths are resolved from it).`,
    );
  // The deepest existing ancestor, symlinks resolved, must still be inside.
  let probe = abs;
  while (!existsSync(probe) && !isSymlink(probe)) probe = dirname(probe);
  const real = isSymlink(probe) && !existsSync(probe) ? null : realpathSync(probe);
  if (real === null || !inside(realRoot, real))
    throw badInput(
      `Refusing ${JSON.stringify(given)}: ${relative(realRoot, probe) || "."} is a symlink ` +
        `leading outside the project root ${realRoot}.`,
    );
  return join(real, relative(probe, abs));
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Commits a plan: refuses (exit 1, nothing written) if a new file exists and
 * `force` is off; on `dryRun`, prints the planned files and a diff, and
 * exits as the real run would (1 if it would be refused). Otherwise writes
 * everything atomically. Returns the number of files that changed.
 */
export function commit(plan: PlannedFile[], options: CommitOptions): number {
  const { root, force, dryRun, log } = options;
  const abs = (p: string) => join(root, p);
  const clashes = plan.filter((f) => f.before === undefined && existsSync(abs(f.path)));
  const refusal = () =>
    refused(
      `Refusing to overwrite ${clashes.map((f) => f.path).join(", ")}: ` +
        `${clashes.length === 1 ? "it exists" : "they exist"}. Nothing was written; ` +
        `use --force to overwrite.`,
    );
  if (clashes.length > 0 && !force && !dryRun) throw refusal();
  const changed = plan
    .map((f) => ({
      ...f,
      before: f.before ?? (existsSync(abs(f.path)) ? readFileSync(abs(f.path), "utf8") : undefined),
    }))
    .filter((f) => f.before !== f.content);
  if (dryRun) {
    for (const f of changed)
      log(`${f.before === undefined ? "would create" : "would change"} ${f.path}`);
    for (const f of changed) log(unifiedDiff(f.path, f.before ?? "", f.content, !f.before));
    if (changed.length === 0) log("nothing to do");
    log("(dry run: nothing written)");
    if (clashes.length > 0 && !force) throw refusal();
    return changed.length;
  }
  writeAtomically(changed.map((f) => ({ ...f, path: abs(f.path) })));
  for (const f of changed) log(`${f.before === undefined ? "created" : "updated"} ${f.path}`);
  return changed.length;
}

/** Temp file + rename for each file; rolls back on any failure. */
function writeAtomically(files: PlannedFile[]): void {
  const createdDirs: string[] = [];
  const temps: Array<{ tmp: string; file: PlannedFile }> = [];
  const done: PlannedFile[] = [];
  try {
    for (const f of files) {
      mkdirs(dirname(f.path), createdDirs);
      const tmp = join(
        dirname(f.path),
        `.${f.path.split(sep).pop()}.scaffold-${process.pid}-${Date.now()}.tmp`,
      );
      writeFileSync(tmp, f.content, { flag: "wx" });
      temps.push({ tmp, file: f });
    }
    for (const t of temps) {
      renameSync(t.tmp, t.file.path);
      done.push(t.file);
    }
  } catch (e) {
    for (const t of temps) if (!done.includes(t.file)) tryDo(() => unlinkSync(t.tmp));
    for (const f of done.reverse())
      tryDo(() => (f.before === undefined ? unlinkSync(f.path) : writeFileSync(f.path, f.before)));
    for (const d of createdDirs.reverse()) tryDo(() => rmdirSync(d));
    throw e;
  }
}

function mkdirs(dir: string, created: string[]): void {
  if (existsSync(dir)) return;
  mkdirs(dirname(dir), created);
  mkdirSync(dir);
  created.push(dir);
}

function tryDo(f: () => void): void {
  try {
    f();
  } catch {
    // best effort: the original error is what gets reported
  }
}
