/**
 * Where the demo finds things: the otpkit repository it runs from (the
 * folder holding examples/run-demo.js, so it works from `dist/` or from
 * source), the built scaffold CLI, Jest, `.scratch/` (ignored by git) for
 * the project, and the progress indicator it shares with run-demo.js.
 */
import { existsSync } from "fs";
import { dirname, join } from "path";
import type * as Progress from "./progress";

function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "examples", "run-demo.js"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no otpkit repository above ${from}`);
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

/**
 * The progress indicator: plain JavaScript shared with run-demo.js (which
 * runs before the build), so it is loaded from the repository, not from `dist/`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { withProgress } = require(
  join(REPO, "examples", "demo", "progress.js"),
) as typeof Progress;
