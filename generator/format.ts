/**
 * Formatting with the project's prettier config, resolved from the target
 * file's location (as prettier's own CLI would). prettier is loaded only when
 * something is formatted. Bare plugin names in the config are resolved from
 * the config file's folder (prettier itself would resolve them from the
 * current directory).
 */
import { createRequire } from "module";
import { dirname, isAbsolute } from "path";
import type { Options } from "prettier";

type Prettier = typeof import("prettier");
let loaded: Promise<Prettier> | undefined;
const prettier = () => (loaded ??= import("prettier"));

/** The prettier options that apply to `file` (its config, plugins resolved, `filepath` set). */
export async function optionsFor(file: string): Promise<Options> {
  const p = await prettier();
  const configFile = await p.resolveConfigFile(file);
  const config = (await p.resolveConfig(file, { editorconfig: true })) ?? {};
  const plugins = (config.plugins ?? []).map((plugin) =>
    typeof plugin === "string" && configFile !== null && !isAbsolute(plugin)
      ? createRequire(configFile).resolve(plugin, { paths: [dirname(configFile)] })
      : plugin,
  );
  return { ...config, plugins, filepath: file };
}

/** Formats `text` as the content of `file`. */
export async function formatFile(file: string, text: string, options?: Options): Promise<string> {
  const p = await prettier();
  return p.format(text, options ?? (await optionsFor(file)));
}
