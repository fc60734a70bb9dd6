/** What the bench ran on, for results.json. */
import os from "os";

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  totalMemBytes: number;
  date: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    totalMemBytes: os.totalmem(),
    date: new Date().toISOString(),
  };
}
