/**
 * Where the demo finds things: the otpkit repository it runs from (found by
 * its package.json, so it works from `dist/` or from source), the built
 * scaffold CLI, Jest, and `.scratch/` (ignored by git) for the project.
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "otpkit-workspace")
      return dir;
    if (dirname(dir) === dir)
      throw new Error(`no otpkit repository (package.json "otpkit-workspace") above ${from}`);
  }
}

/** The otpkit repository. */
export const REPO = findRepo(__dirname);
/** The built `scaffold` CLI (`npm run build` makes it). */
export const CLI = join(REPO, "generator", "dist", "cli.js");
/** Jest's command-line entry, from the repository's dev dependencies. */
export const JEST = require.resolve("jest/bin/jest", { paths: [REPO] });
/** The folder for throwaway projects, ignored by git. */
export const SCRATCH = join(REPO, ".scratch");
