/**
 * A section of docs/performance.md that one bench mode owns: the text between
 * its two marker comments, replaced in place (or appended), so the rest of
 * the page is left as it is; the `--peers` writer carries such sections over.
 */
import fs from "fs";
import path from "path";

/** docs/performance.md. */
export const PERFORMANCE_DOC = path.join(__dirname, "..", "..", "docs", "performance.md");

/** The page, or a bare title if it does not exist yet. */
function readDoc(): string {
  try {
    return fs.readFileSync(PERFORMANCE_DOC, "utf8");
  } catch {
    return "# Performance\n";
  }
}

/** The section between `start` and `end` now in the page (markers included), or "" if there is none. */
export function keptSection(start: string, end: string): string {
  const doc = readDoc();
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  return a >= 0 && b > a ? doc.slice(a, b + end.length) : "";
}

/**
 * Writes `text` (which begins with `start` and ends with `end`) in place of
 * the section now in the page, or at its end; the page formatted by Prettier,
 * so `npm run lint` passes. Returns the page's path.
 */
export async function writeSection(start: string, end: string, text: string): Promise<string> {
  const doc = readDoc();
  const kept = keptSection(start, end);
  const next = kept === "" ? `${doc.trimEnd()}\n\n${text}\n` : doc.replace(kept, () => text);
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(PERFORMANCE_DOC)) ?? {};
  fs.mkdirSync(path.dirname(PERFORMANCE_DOC), { recursive: true });
  fs.writeFileSync(
    PERFORMANCE_DOC,
    await prettier.format(next, { ...options, filepath: PERFORMANCE_DOC }),
  );
  return PERFORMANCE_DOC;
}
