/**
 * Helpers for the end-to-end tests (pack.test.ts, scaffold.test.ts): pack
 * the packages, install them in a user's project, run a command there, and
 * refuse to test a stale build.
 */
import { execFile } from "child_process";
import { mkdtemp, readFile, readdir, stat, writeFile } from "fs/promises";
import { tmpdir } from "os";
import path from "path";

export const ROOT = path.join(__dirname, "..", "..");

/** The published packages: the runtime, the Jest preset, the generator. */
export const PACKAGES = ["otpkit", "@otpkit/jest", "@otpkit/scaffold"] as const;
export type PackageName = (typeof PACKAGES)[number];

/** One packed package: its tarball's path and the files in it. */
export interface Packed {
  tarball: string;
  files: string[];
  /** Unpacked size in bytes. */
  unpackedSize: number;
}

/**
 * Packs every package into `dest`, from the current build (checked fresh
 * first; `--ignore-scripts` skips each `prepack` build, so suites packing at
 * once never build over each other); fails with npm's output.
 */
export async function packAll(dest: string): Promise<Record<PackageName, Packed>> {
  await assertBuilt(["runtime", "jest-preset", "generator"]);
  const r = await sh(
    "npm",
    [
      "pack",
      "--json",
      "--ignore-scripts",
      "--pack-destination",
      dest,
      ...PACKAGES.flatMap((p) => ["-w", p]),
    ],
    ROOT,
  );
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.stdout}\n${r.stderr}`);
  const out = {} as Record<PackageName, Packed>;
  for (const p of JSON.parse(r.stdout) as Array<{
    name: PackageName;
    filename: string;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>)
    out[p.name] = {
      tarball: path.join(dest, p.filename),
      files: p.files.map((f) => f.path),
      unpackedSize: p.unpackedSize,
    };
  for (const name of PACKAGES)
    if (out[name] === undefined) throw new Error(`npm pack made no tarball for ${name}`);
  return out;
}

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

/** The newest modification time of the .ts sources under `dir` (not built output). */
export async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "dist" && e.name !== "node_modules") t = Math.max(t, await newest(p));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
      t = Math.max(t, (await stat(p)).mtimeMs);
  }
  return t;
}

/** Each part of the repository and the build info its last build wrote (`tsc -b` rewrites it on every build). */
const BUILD_INFO = {
  runtime: "runtime/dist/tsconfig.build.tsbuildinfo",
  "jest-preset": "jest-preset/dist/tsconfig.build.tsbuildinfo",
  generator: "generator/dist/tsconfig.build.tsbuildinfo",
  examples: "dist/examples/tsconfig.build.tsbuildinfo",
} as const;

/** Throws unless each part's build is newer than every .ts source in it. */
export async function assertBuilt(parts: Array<keyof typeof BUILD_INFO>): Promise<void> {
  const stale: string[] = [];
  for (const part of parts) {
    const built = await stat(path.join(ROOT, BUILD_INFO[part])).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (built < (await newest(path.join(ROOT, part)))) stale.push(part);
  }
  if (stale.length > 0)
    throw new Error(
      `the build of ${stale.join(", ")} is missing or older than its sources: run \`npm run build\` first (\`npm test\` does it).`,
    );
}

/** Without ANSI colours. */
export const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, ""); // eslint-disable-line no-control-regex

let packed: Promise<Record<PackageName, Packed>> | undefined;

/**
 * Installs otpkit into the user's project `projectDir` as the docs say, from
 * the packed tarballs (packed once per test file): the runtime as a
 * dependency, `@otpkit/jest` and `@otpkit/scaffold` as devDependencies, with
 * `devDependencies` beside them (`jest@30.5.2`, `typescript@7`...). One npm
 * command: the tarballs go into package.json first.
 */
export async function installOtpkit(
  projectDir: string,
  devDependencies: string[],
): Promise<Result> {
  packed ??= mkdtemp(path.join(tmpdir(), "otpkit-pack-")).then(packAll);
  const tarballs = await packed;
  const file = path.join(projectDir, "package.json");
  const pkg = JSON.parse(await readFile(file, "utf8"));
  const from = (name: PackageName) => `file:${tarballs[name].tarball}`;
  pkg.dependencies = { ...pkg.dependencies, otpkit: from("otpkit") };
  pkg.devDependencies = {
    ...pkg.devDependencies,
    "@otpkit/jest": from("@otpkit/jest"),
    "@otpkit/scaffold": from("@otpkit/scaffold"),
  };
  await writeFile(file, JSON.stringify(pkg, null, 2) + "\n");
  return sh(
    "npm",
    ["i", "-D", "--prefer-offline", "--no-audit", "--no-fund", ...devDependencies],
    projectDir,
  );
}
