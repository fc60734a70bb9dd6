/**
 * What the generator needs to know about the user's project: where its root
 * is, its module system (`"type"` in package.json), the import specifiers
 * its tsconfig requires, and whether `scaffold init` has set it up.
 */
import { existsSync } from "fs";
import { dirname, join } from "path";
import { parse as parseJsonc } from "jsonc-parser";
import { badInput, refused } from "./errors";
import type { Tree } from "./tree";

/** The project root: the nearest folder at or above `cwd` with a package.json. */
export function findRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir)
      throw badInput(
        `No package.json in ${cwd} or any folder above it: scaffold works in a Node project. ` +
          `Create one first (npm init -y), then run scaffold init.`,
      );
  }
}

/** JSON with comments and trailing commas (package.json, tsconfig.json), or undefined. */
export function readJsonc(tree: Tree, path: string): Record<string, unknown> | undefined {
  const text = tree.read(path);
  if (text === undefined) return undefined;
  const value: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Is the package ESM (`"type": "module"`)? Then `.js` files, jest.config.js included, are ES modules. */
export function isEsmPackage(tree: Tree): boolean {
  return readJsonc(tree, "package.json")?.type === "module";
}

/** The Jest config files Jest looks for, in its order. */
export const JEST_CONFIGS = [
  "jest.config.js",
  "jest.config.ts",
  "jest.config.mjs",
  "jest.config.cjs",
  "jest.config.mts",
  "jest.config.cts",
  "jest.config.json",
];

/** The compiler options of `tsconfig.json`, `extends` followed (relative paths and packages). */
export function compilerOptions(
  tree: Tree,
  path = "tsconfig.json",
  depth = 0,
): Record<string, unknown> {
  const config = readJsonc(tree, path);
  if (config === undefined || depth > 8) return {};
  const ext = config.extends;
  const bases = (Array.isArray(ext) ? ext : ext === undefined ? [] : [ext]).map(String);
  let options: Record<string, unknown> = {};
  for (const base of bases) {
    const from = dirname(path);
    const candidates = base.startsWith(".")
      ? [join(from, base), join(from, `${base}.json`)]
      : [`node_modules/${base}`, `node_modules/${base}.json`, `node_modules/${base}/tsconfig.json`];
    const found = candidates.map((c) => c.split("\\").join("/")).find((c) => tree.exists(c));
    if (found !== undefined) options = { ...options, ...compilerOptions(tree, found, depth + 1) };
  }
  const own = config.compilerOptions;
  return own !== null && typeof own === "object" ? { ...options, ...own } : options;
}

/**
 * The suffix relative imports need under the project's tsconfig: `.js`
 * under `node16`/`nodenext` resolution (TypeScript requires the output
 * file's name), none under `commonjs`, `bundler` or `node10`.
 */
export function importSuffix(tree: Tree): ".js" | "" {
  const options = compilerOptions(tree);
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
  const resolution = lower(options.moduleResolution);
  const module = lower(options.module);
  const nodeNext = (v: string | undefined) => v !== undefined && /^node(16|18|20|next)$/.test(v);
  if (resolution !== undefined) return nodeNext(resolution) ? ".js" : "";
  return nodeNext(module) ? ".js" : "";
}

/** Does a Jest config of the project use otpkit (its preset, or its setup file)? */
export function jestUsesOtpkit(tree: Tree): boolean {
  const file = JEST_CONFIGS.find((f) => tree.exists(f));
  if (file !== undefined) return /otpkit/.test(tree.read(file)!);
  const jest = readJsonc(tree, "package.json")?.jest;
  return jest !== undefined && /otpkit/.test(JSON.stringify(jest));
}

/** Refuses (exit 1) unless `scaffold init` has set the project up: generated tests need the preset. */
export function requireInit(tree: Tree): void {
  const missing = [
    ...(jestUsesOtpkit(tree) ? [] : ['no Jest config with preset: "otpkit"']),
    ...(tree.exists("tsconfig.json") ? [] : ["no tsconfig.json"]),
  ];
  if (missing.length > 0)
    throw refused(
      `This project is not set up for otpkit yet (${missing.join(", ")}): ` +
        `run scaffold init first (npx scaffold init), then this command again. Nothing was written.`,
    );
}
