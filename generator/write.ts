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

/** One file of a plan: its new content and, for an existing file, its current one. */
export interface PlannedFile {
  /** Absolute path, inside the project root. */
  path: string;
  content: string;
  /** The current content (an edit), or undefined (a new file). */
  before?: string;
}

/** How to commit a plan. */
export interface CommitOptions {
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
export function safePath(root: string, target: string): string {
  const realRoot = realpathSync(root);
  const abs = resolve(realRoot, target);
  if (!inside(realRoot, abs))
    throw badInput(
      `Refusing ${JSON.stringify(target)}: it is outside the project root ${realRoot}. ` +
        `Give a path inside the project (relative paths are resolved from it).`,
    );
  // The deepest existing ancestor, symlinks resolved, must still be inside.
  let probe = abs;
  while (!existsSync(probe) && !isSymlink(probe)) probe = dirname(probe);
  const real = isSymlink(probe) && !existsSync(probe) ? null : realpathSync(probe);
  if (real === null || !inside(realRoot, real))
    throw badInput(
      `Refusing ${JSON.stringify(target)}: ${relative(realRoot, probe) || "."} is a symlink ` +
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
 * `force` is off; prints the planned files and a diff on `dryRun`; otherwise
 * writes everything atomically. Returns the files that changed.
 */
export function commit(plan: PlannedFile[], options: CommitOptions): PlannedFile[] {
  const { root, force, dryRun, log } = options;
  const rel = (p: string) => relative(root, p) || p;
  const clashes = plan.filter((f) => f.before === undefined && existsSync(f.path));
  if (clashes.length > 0 && !force)
    throw refused(
      `Refusing to overwrite ${clashes.map((f) => rel(f.path)).join(", ")}: ` +
        `${clashes.length === 1 ? "it exists" : "they exist"}. Nothing was written; ` +
        `use --force to overwrite.`,
    );
  const changed = plan
    .map((f) => ({
      ...f,
      before: f.before ?? (existsSync(f.path) ? readFileSync(f.path, "utf8") : undefined),
    }))
    .filter((f) => f.before !== f.content);
  if (dryRun) {
    for (const f of changed)
      log(`${f.before === undefined ? "would create" : "would change"} ${rel(f.path)}`);
    for (const f of changed) log(unifiedDiff(rel(f.path), f.before ?? "", f.content, !f.before));
    if (changed.length === 0) log("nothing to do");
    log("(dry run: nothing written)");
    return changed;
  }
  writeAtomically(changed);
  for (const f of changed) log(`${f.before === undefined ? "created" : "updated"} ${rel(f.path)}`);
  return changed;
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
