/**
 * Failures of the preset's helpers point at the user's line: a helper
 * records where it was called (helpers are not on a hot path), and its
 * failure, built later in a timer or a callback, takes that stack, without
 * the preset's own frames, so Jest's code frame shows the test's `await`.
 */

/** The preset's folder as stack frames print it; found on first use. */
let presetDir: string | null | undefined;

function frameFile(line: string): string | undefined {
  return /\(?((?:[A-Za-z]:)?[^():]+):\d+:\d+\)?$/.exec(line.trim())?.[1];
}

function ownDir(): string | null {
  const file = frameFile(new Error().stack?.split("\n")[1] ?? "");
  if (file === undefined) return null;
  const cut = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return cut < 0 ? null : file.slice(0, cut + 1);
}

/** Where a helper was called: capture it when the helper is called. */
export function callSite(): Error {
  return new Error("call site");
}

/** `err` with the stack of `site` (the user's frames), keeping its own message. */
export function atCallSite<E extends Error>(err: E, site: Error): E {
  if (presetDir === undefined) presetDir = ownDir();
  const dir = presetDir;
  const frames = (site.stack ?? "")
    .split("\n")
    .filter((l) => l.trimStart().startsWith("at ") && (dir === null || !l.includes(dir)));
  if (frames.length > 0) err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
  return err;
}
