/**
 * The subjects, in the order they run and print. `otpkit` is the one the
 * targets are for; `loop` is the baseline every ratio is taken against. The
 * peers (other JavaScript actor libraries, dev dependencies) run only with
 * `--peers`, and are loaded only then. To add a peer library, write its
 * subject file beside these and list it in PEERS.
 */
import fs from "fs";
import path from "path";
import type { Subject } from "../types";
import { loop } from "./loop";
import { otpkit } from "./otpkit";

/** What `npm run bench` measures. */
export const SUBJECTS: readonly Subject[] = [otpkit, loop];

/** The peer libraries: subject name, npm package, and how to load the subject. */
export const PEERS: readonly { name: string; pkg: string; load: () => Promise<Subject> }[] = [
  { name: "nact", pkg: "nact", load: async () => (await import("./nact.js")).nact },
  { name: "xstate", pkg: "xstate", load: async () => (await import("./xstate.js")).xstate },
  { name: "effect", pkg: "effect", load: async () => (await import("./effect.js")).effect },
];

/** The subjects of a run: otpkit and the loop, then the peers with `--peers`. */
export async function loadSubjects(peers: boolean): Promise<readonly Subject[]> {
  if (!peers) return SUBJECTS;
  return [...SUBJECTS, ...(await Promise.all(PEERS.map((p) => p.load())))];
}

/** The names of a run's subjects, without loading any peer. */
export function subjectNames(peers: boolean): string[] {
  return [...SUBJECTS.map((s) => s.name), ...(peers ? PEERS.map((p) => p.name) : [])];
}

/** The installed version of each peer library, by subject name (for results.json and the docs). */
export function peerVersions(): Record<string, string> {
  const root = path.join(__dirname, "..", "..", "..");
  const version = (pkg: string) => {
    try {
      const file = path.join(root, "node_modules", pkg, "package.json");
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "?";
    }
  };
  return Object.fromEntries(PEERS.map((p) => [p.name, version(p.pkg)]));
}

/** The subject the targets apply to. */
export const PRIMARY = "otpkit";

/** The subject ratios are taken against. */
export const BASELINE = "loop";
