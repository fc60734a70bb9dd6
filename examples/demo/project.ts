/**
 * The newcomer's project, in a scratch folder under `.scratch/` (ignored by
 * git), recreated on each run: a package.json, and `node_modules/otpkit`,
 * `node_modules/@otpkit/jest` and `node_modules/@otpkit/scaffold` linking to
 * this repository's packages (their built `dist/`), as `npm i otpkit` and
 * `npm i -D @otpkit/jest @otpkit/scaffold` would provide. Jest, TypeScript and the type packages come from the repository's
 * node_modules by Node's upward lookup. An empty prettier config keeps the
 * repository's own out of the generated files.
 */
import { mkdir, readFile, rm, symlink, writeFile } from "fs/promises";
import { isAbsolute, join, relative, resolve } from "path";
import { CLI, REPO, SCRATCH } from "./paths";
import { Ran, runNode } from "./run";

/** The scaffold commands the newcomer types, in order. */
export const SCAFFOLD = [
  ["init"],
  [
    "genserver",
    "Subscribers",
    "--call",
    "subscribe:Pid",
    "--call",
    "subscribers",
    "--info",
    "down",
  ],
];

/** The repository's packages, by name, and their folders. */
const PACKAGES = [
  ["otpkit", "runtime"],
  ["@otpkit/jest", "jest-preset"],
  ["@otpkit/scaffold", "generator"],
] as const;

/** `dir` resolved, if it is inside `.scratch/` (the only place the demo deletes). */
export function scratchDir(dir: string): string {
  const abs = resolve(REPO, dir);
  const rel = relative(SCRATCH, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel))
    throw new Error(`the demo's folder must be inside ${SCRATCH}, got ${abs}`);
  return abs;
}

/** Recreates `dir` as an empty project that depends on otpkit. */
export async function createProject(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "node_modules", "@otpkit"), { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "subscribers-demo", private: true }, null, 2) + "\n",
  );
  await writeFile(join(dir, ".prettierrc.json"), "{}\n");
  for (const [pkg, folder] of PACKAGES)
    await symlink(join(REPO, folder), join(dir, "node_modules", pkg), "junction");
}

/** One scaffold command and what it did. */
export interface Scaffolded {
  args: string[];
  ran: Ran;
  /** The files it reports as created. */
  created: string[];
}

/** Runs the scaffold commands in `dir`, stopping at the first that fails. */
export async function scaffold(dir: string): Promise<Scaffolded[]> {
  const out: Scaffolded[] = [];
  for (const args of SCAFFOLD) {
    const ran = await runNode([CLI, ...args], dir);
    const created = [...ran.stdout.matchAll(/^created (\S+)$/gm)].map((m) => m[1]);
    out.push({ args, ran, created });
    if (ran.code !== 0) break;
  }
  return out;
}

/**
 * Replaces the one line `generated` with `mine` in `dir/name`; false (and
 * nothing written) if the file does not hold `generated` exactly once.
 */
export async function fillIn(
  dir: string,
  name: string,
  generated: string,
  mine: string,
): Promise<boolean> {
  const text = await readFile(join(dir, name), "utf8");
  if (text.split(generated).length !== 2) return false;
  await writeFile(join(dir, name), text.replace(generated, mine));
  return true;
}

/** Writes `text` to `dir/name`, making folders. */
export async function addFile(dir: string, name: string, text: string): Promise<void> {
  await mkdir(join(dir, name, ".."), { recursive: true });
  await writeFile(join(dir, name), text);
}
