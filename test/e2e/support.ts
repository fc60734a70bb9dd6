/**
 * Helpers for the end-to-end tests (pack.test.ts, scaffold.test.ts): run a
 * command in a user's project, and refuse to test a stale `dist/`.
 */
import { execFile } from "child_process";
import { readdir, stat } from "fs/promises";
import path from "path";

export const ROOT = path.join(__dirname, "..", "..");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command; never rejects (the exit code is in the result). The
 * environment is this process's without `OTPKIT_*` and `JEST_*` (so the
 * user's Jest runs as if started from a shell), plus `extra`.
 */
export function sh(
  cmd: string,
  args: string[],
  cwd: string,
  extra: Record<string, string> = {},
): Promise<Result> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OTPKIT_") && !k.startsWith("JEST_")) env[k] = v;
  env.FORCE_COLOR = "0";
  Object.assign(env, extra);
  return new Promise((resolve) =>
    execFile(
      cmd,
      args,
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 150_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    ),
  );
}

/** The newest modification time of the .ts files under `dir`. */
export async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, await newest(p));
    else if (e.name.endsWith(".ts")) t = Math.max(t, (await stat(p)).mtimeMs);
  }
  return t;
}

/**
 * Throws unless every built file in `built` (relative to the repo) exists
 * and is newer than every .ts source under `sources`.
 */
export async function assertBuilt(built: string[], sources: string[]): Promise<void> {
  const times = await Promise.all(
    built.map((f) =>
      stat(path.join(ROOT, f)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  const newestSource = Math.max(
    ...(await Promise.all(sources.map((d) => newest(path.join(ROOT, d))))),
  );
  const stale = built.filter((_, i) => times[i] < newestSource);
  if (stale.length > 0)
    throw new Error(
      `dist/ is missing or older than the sources (${stale.join(", ")}): run \`npm run build\` first (\`npm test\` does it).`,
    );
}

/** Without ANSI colours. */
export const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, ""); // eslint-disable-line no-control-regex
