/**
 * The "Retained memory" section of docs/performance.md, from bench/leaks.json
 * (`npm run bench -- --leaks`). It sits between two markers, so the leak run
 * rewrites only it and `npm run bench -- --peers` keeps it (docs.ts calls
 * `leaksSection`).
 */
import fs from "fs";
import path from "path";
import { writeSection } from "./doc-section";

const ROOT = path.join(__dirname, "..", "..");
/** Where the leak run's figures are kept. */
export const LEAKS_JSON = path.join(ROOT, "bench", "leaks.json");
const START = "<!-- leaks:start (npm run bench -- --leaks) -->";
const END = "<!-- leaks:end -->";

/** One leak workload's figure. */
export interface LeakResult {
  name: string;
  what: string;
  /** Heap bytes still in use after a full GC, beyond what was in use before the workload. */
  retained: number;
  goal: number;
  /** What the figure depends on, when that is not the workload's own code. */
  note?: string;
}

/** What bench/leaks.json holds. */
export interface LeaksDoc {
  date: string;
  node: string;
  results: LeakResult[];
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** The section's markdown lines (empty if there are no figures yet). */
export function leaksSection(doc: LeaksDoc | undefined = readLeaks()): string[] {
  if (doc === undefined) return [];
  return [
    START,
    "",
    "## Retained memory (issue 12)",
    "",
    "Heap still in use after a full garbage collection once each workload has run, minus the" +
      " heap in use before it, with its node (and anything the workload keeps on purpose, such as" +
      " the hung call) still alive. Each workload runs in a child process of its own. Not a timed" +
      ` benchmark. Goal: at most ${mb(2 * 1024 * 1024)} each. Measured ${doc.date.slice(0, 10)} on Node ${doc.node} with` +
      " `npm run bench -- --leaks`.",
    "",
    "| Workload | Retained after GC | Goal met |",
    "| --- | ---: | :-: |",
    ...doc.results.map(
      (r) =>
        `| \`${r.name}\`: ${r.what} | ${mb(r.retained)} | ${r.retained <= r.goal ? "yes" : "no"} |`,
    ),
    "",
    ...doc.results.filter((r) => r.note !== undefined).map((r) => `- \`${r.name}\`: ${r.note}`),
    "",
    END,
  ];
}

function readLeaks(): LeaksDoc | undefined {
  try {
    return JSON.parse(fs.readFileSync(LEAKS_JSON, "utf8")) as LeaksDoc;
  } catch {
    return undefined;
  }
}

/** Replaces (or appends) the section in docs/performance.md; returns the file's path. */
export function writeLeaksSection(doc: LeaksDoc): Promise<string> {
  return writeSection(START, END, leaksSection(doc).join("\n"));
}
