/**
 * The project as a command sees it (as Nx's `Tree`): files are read from the
 * project (or from memory, in tests), and what a command writes is collected
 * as a plan, not written. The CLI then commits the plan (write.ts); tests
 * read it. Paths are relative to the project root, with `/` separators.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { dirname, isAbsolute, join, posix, relative, sep } from "path";
import { badInput } from "./errors";
import { safePath } from "./write";

/** One file of a plan. */
export interface PlannedFile {
  /** Relative to the project root, `/`-separated. */
  path: string;
  content: string;
  /** The content when the command read it (an edit), or undefined (a new file). */
  before?: string;
}

/** A project's files, read-through, with the writes kept aside as a plan. */
export abstract class Tree {
  private readonly planned = new Map<string, PlannedFile>();

  /** `root`: the project root (an absolute path; in memory, a label for messages). */
  constructor(readonly root: string) {}

  /** The file as it is before this command (undefined if there is none). */
  protected abstract readOriginal(path: string): string | undefined;
  /** Is `path` a folder? */
  abstract isDirectory(path: string): boolean;
  /** Is package `name` installed where the project's modules find it (node_modules here or above)? */
  abstract hasPackage(name: string): boolean;
  /** Checks that `path` (normalized, relative) may be written: inside the project, no symlink out. */
  protected abstract checkInside(path: string, given: string): void;

  /**
   * A path the user gave (relative to `from`, a project-relative folder, or
   * absolute), as a project-relative path; bad input if it leads outside.
   */
  resolve(given: string, from = ""): string {
    const abs = isAbsolute(given)
      ? relative(this.root, given).split(sep).join("/")
      : posix.join(from, given.split(sep).join("/"));
    const path = posix.normalize(abs).replace(/\/$/, "");
    if (path === ".." || path.startsWith("../") || isAbsolute(path))
      throw badInput(
        `Refusing ${JSON.stringify(given)}: it is outside the project root ${this.root}. ` +
          `Give a path inside the project.`,
      );
    this.checkInside(path === "." ? "" : path, given);
    return path === "." ? "" : path;
  }

  /** The file's current text (planned writes included), or undefined. */
  read(path: string): string | undefined {
    return this.planned.get(path)?.content ?? this.readOriginal(path);
  }

  exists(path: string): boolean {
    return this.read(path) !== undefined;
  }

  /** Plans a new file; the commit refuses it (without --force) if the file exists. */
  create(path: string, content: string): void {
    this.planned.set(path, { path, content });
  }

  /** Plans new content for an existing file (an edit of what was read). */
  update(path: string, content: string): void {
    const before = this.planned.get(path)?.before ?? this.readOriginal(path);
    this.planned.set(path, { path, content, before });
  }

  /** The planned files, in the order they were first planned. */
  plan(): PlannedFile[] {
    return [...this.planned.values()];
  }
}

/** The project on disk. */
export class FsTree extends Tree {
  protected readOriginal(path: string): string | undefined {
    const abs = join(this.root, path);
    return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, "utf8") : undefined;
  }

  isDirectory(path: string): boolean {
    const abs = join(this.root, path);
    return existsSync(abs) && statSync(abs).isDirectory();
  }

  hasPackage(name: string): boolean {
    for (let dir = this.root; ; dir = dirname(dir)) {
      if (existsSync(join(dir, "node_modules", name, "package.json"))) return true;
      if (dirname(dir) === dir) return false;
    }
  }

  protected checkInside(path: string, given: string): void {
    safePath(this.root, path, given);
  }
}

/** A project in memory: `files` by relative path. For tests. */
export class MemoryTree extends Tree {
  constructor(
    private readonly files: Record<string, string> = {},
    root = "/project",
  ) {
    super(root);
  }

  protected readOriginal(path: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.files, path) ? this.files[path] : undefined;
  }

  isDirectory(path: string): boolean {
    const prefix = path === "" ? "" : `${path}/`;
    return Object.keys(this.files).some((f) => f.startsWith(prefix));
  }

  hasPackage(name: string): boolean {
    return this.exists(`node_modules/${name}/package.json`);
  }

  protected checkInside(): void {}

  /** The files as they would be after a commit (for tests). */
  result(): Record<string, string> {
    const out = { ...this.files };
    for (const f of this.plan()) out[f.path] = f.content;
    return out;
  }
}
