/**
 * Runs one workload for every subject that implements it: WARMUP rounds,
 * then `runs` timed rounds. A round runs each subject once, after a full gc,
 * so drift (heat, other load) hits all subjects alike.
 */
import { collectGarbage } from "./clock";
import type { Measure, Sample, Subject, Workload } from "./types";

export const WARMUP = 2;
const RUN_TIMEOUT_MS = 30_000;

/** What the rounds gave: timed samples by subject, their side figures, and the subjects that failed, with why. */
export interface Samples {
  samples: Record<string, number[]>;
  details: Record<string, Record<string, number[]>>;
  errors: Record<string, string>;
}

function withTimeout(measure: Measure, size: number, what: string): Promise<number | Sample> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no result after ${RUN_TIMEOUT_MS} ms`)),
      RUN_TIMEOUT_MS,
    );
  });
  return Promise.race([measure(size), timeout]).finally(() => clearTimeout(timer));
}

export async function rounds(
  w: Workload,
  subjects: readonly Subject[],
  runs: number,
): Promise<Samples> {
  const todo = subjects.filter((s) => Object.hasOwn(s.workloads, w.name));
  const samples: Record<string, number[]> = {};
  const details: Record<string, Record<string, number[]>> = {};
  const errors: Record<string, string> = {};
  for (const s of todo) {
    samples[s.name] = [];
    details[s.name] = {};
  }
  for (let round = 0; round < WARMUP + runs; round++) {
    for (const s of todo) {
      if (Object.hasOwn(errors, s.name)) continue;
      collectGarbage();
      try {
        const r = await withTimeout(s.workloads[w.name], w.size, `${s.name} ${w.name}`);
        const v = typeof r === "number" ? r : r.value;
        if (!Number.isFinite(v)) throw new Error(`${s.name} ${w.name}: got ${v}`);
        if (round < WARMUP) continue;
        samples[s.name].push(v);
        if (typeof r !== "number" && r.detail !== undefined)
          for (const [k, x] of Object.entries(r.detail)) (details[s.name][k] ??= []).push(x);
      } catch (e) {
        errors[s.name] = e instanceof Error ? e.message : String(e);
        delete samples[s.name];
        delete details[s.name];
      }
    }
  }
  return { samples, details, errors };
}
