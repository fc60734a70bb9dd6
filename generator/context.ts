/** What every command gets: the project root, the global options, templates and output. */
import { existsSync, statSync } from "fs";
import { resolve } from "path";
import { badInput } from "./errors";
import { Templates } from "./templates";
import { PlannedFile, commit } from "./write";

/** The global options, as yargs parses them. */
export interface GlobalArgs {
  dryRun?: boolean;
  force?: boolean;
  templates?: string;
}

export interface Context {
  /** The project root: the current directory. Nothing is written outside it. */
  root: string;
  force: boolean;
  dryRun: boolean;
  templates: Templates;
  log: (line: string) => void;
  /** Writes the plan (or shows it, on --dry-run); returns how many files changed. */
  commit(plan: PlannedFile[]): number;
}

export function makeContext(args: GlobalArgs, log = (l: string) => console.log(l)): Context {
  const root = process.cwd();
  if (args.templates !== undefined) {
    const dir = resolve(root, args.templates);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw badInput(`--templates ${JSON.stringify(args.templates)}: no such directory.`);
  }
  const ctx: Context = {
    root,
    force: args.force === true,
    dryRun: args.dryRun === true,
    templates: new Templates(root, args.templates),
    log,
    commit: (plan) => commit(plan, { root, force: ctx.force, dryRun: ctx.dryRun, log }).length,
  };
  return ctx;
}

/** A repeatable string option as a list (yargs gives a string for one use). */
export function list(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
