/**
 * Formatting with the project's prettier config. Commands get a `Formatter`
 * (in their context), so tests can inject one: prettier 3's main entry
 * cannot load inside Jest on Node 20 (it needs `--experimental-vm-modules`).
 *
 * The CLI's formatter resolves the config from the target file's location
 * (as prettier's own CLI would) and loads prettier only when something is
 * formatted. Bare plugin names in the config are resolved from the config
 * file's folder (prettier itself would resolve them from the current
 * directory).
 */
import { createRequire } from "module";
import { dirname, isAbsolute, join } from "path";
import type { Options } from "prettier";

/** Formats generated text the way the project formats its files. */
export interface Formatter {
  /** The options that apply to project file `path` (relative to the root), `filepath` set. */
  options(path: string): Promise<Options>;
  /** Formats `text` with `options`. */
  format(text: string, options: Options): Promise<string>;
}

/** Formats `text` as the content of project file `path`. */
export async function formatFile(formatter: Formatter, path: string, text: string) {
  return formatter.format(text, await formatter.options(path));
}

type Prettier = typeof import("prettier");

/** The project's prettier (this package's copy), with its config files under `root`. */
export function prettierFormatter(root: string): Formatter {
  let loaded: Promise<Prettier> | undefined;
  const prettier = () => (loaded ??= import("prettier"));
  return {
    async options(path) {
      const p = await prettier();
      const file = join(root, path);
      const configFile = await p.resolveConfigFile(file);
      const config = (await p.resolveConfig(file, { editorconfig: true })) ?? {};
      const plugins = (config.plugins ?? []).map((plugin) =>
        typeof plugin === "string" && configFile !== null && !isAbsolute(plugin)
          ? createRequire(configFile).resolve(plugin, { paths: [dirname(configFile)] })
          : plugin,
      );
      return { ...config, plugins, filepath: file };
    },
    async format(text, options) {
      return (await prettier()).format(text, options);
    },
  };
}
