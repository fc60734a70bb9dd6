/** What every command gets: the project (as a tree), its templates, a formatter and output. */
import { badInput } from "./errors";
import { Formatter, formatFile } from "./format";
import { importSuffix } from "./project";
import { Templates } from "./templates";
import type { Tree } from "./tree";

/** The global options, as yargs parses them. */
export interface GlobalArgs {
  dryRun?: boolean;
  force?: boolean;
  templates?: string;
}

/** A command's view of the project: it reads from `tree` and plans its writes there. */
export interface Context {
  tree: Tree;
  templates: Templates;
  formatter: Formatter;
  /** Prints a line for the user (notes and warnings; the commit prints the files). */
  log: (line: string) => void;
  /** The folder the command was run from, relative to the project root (for file arguments). */
  cwd: string;
}

/** A context for `tree`; `--templates` is resolved against the project root. */
export function makeContext(
  tree: Tree,
  formatter: Formatter,
  args: GlobalArgs = {},
  log: (line: string) => void = () => {},
  cwd = "",
): Context {
  let override: string | undefined;
  if (args.templates !== undefined) {
    override = tree.resolve(args.templates);
    if (!tree.isDirectory(override))
      throw badInput(`--templates ${JSON.stringify(args.templates)}: no such directory.`);
  }
  return { tree, templates: new Templates(tree, override), formatter, log, cwd };
}

/** Renders a template and formats it as project file `path`. */
export async function renderFile(
  ctx: Context,
  template: Parameters<Templates["render"]>[0],
  path: string,
  data: Parameters<Templates["render"]>[1],
): Promise<string> {
  return formatFile(ctx.formatter, path, ctx.templates.render(template, data));
}

/**
 * A module specifier from project file `from` to project file `to` (a `.ts`
 * file): relative, with the suffix the project's tsconfig needs.
 */
export function importPath(ctx: Context, from: string, to: string): string {
  const fromParts = from.split("/").slice(0, -1);
  const toParts = to.replace(/\.ts$/, "").split("/");
  let i = 0;
  while (i < fromParts.length && i < toParts.length - 1 && fromParts[i] === toParts[i]) i++;
  const up = fromParts.length - i;
  const rest = toParts.slice(i).join("/");
  const rel = up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
  return rel + importSuffix(ctx.tree);
}

/** A repeatable string option as a list (yargs gives a string for one use). */
export function list(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
