/**
 * A Node script run as a child process, without blocking the event loop (so
 * a spinner keeps turning). The child gets a clean environment: no
 * `OTPKIT_*` or `JEST_*` variables from the caller's shell (an `OTPKIT_SEED`
 * there would change what the tests do), no colours.
 */
import { spawn } from "child_process";

/** How a child process ended. */
export interface Ran {
  /** Its exit code (1 if it was killed by a signal or could not start). */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds. */
  ms: number;
}

/** Runs `node ...args` in `cwd` with `env` added to a clean environment; never rejects. */
export function runNode(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Ran> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OTPKIT_") && !k.startsWith("JEST_")) clean[k] = v;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...clean, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const done = (code: number, extra = "") =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + extra,
        ms: performance.now() - t0,
      });
    child.on("error", (e) => done(1, `\n${e.message}`));
    child.on("close", (code) => done(code ?? 1));
  });
}
