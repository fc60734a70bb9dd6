/**
 * The `--call`/`--cast` syntax: `name`, or `name:Type` for a handler that
 * takes an argument, `name:Type?` when the argument may be left out.
 *
 * `Type` is a small TypeScript type: `string`, `number`, `boolean`,
 * `bigint`, `unknown`, `null`, or otpkit's `Pid` and `ServerRef`; any of
 * them followed by `[]` (an array); several joined by `|` (a union). The
 * generator must be able to write a value of the type for the generated
 * test, which is why the set is closed.
 *
 * Also the template data of a handler built from a spec, shared by
 * `scaffold genserver` and `scaffold handler`.
 */
import { badInput } from "./errors";
import { checkHandlerName } from "./names";
import type { Data } from "./render";

/** A handler argument's type, as given and as the generated code needs it. */
export interface ArgType {
  /** The type as written in the generated code (`Pid`, `string[]`, `number | null`). */
  text: string;
  /** Whether the client may leave the argument out (`name:Type?`). */
  optional: boolean;
  /** otpkit types it names (to import). */
  imports: string[];
  /** Exactly `Pid`: a server with `--info down` monitors it. */
  isPid: boolean;
  /** A value of the type for the generated test (`watched` stands for a live process's pid). */
  sample: string;
  /** Whether `sample` needs a live process named `watched`. */
  needsProcess: boolean;
  /** The parameter's name in the handler and the client function. */
  param: string;
}

/** A parsed `--call`/`--cast` value. */
export interface HandlerSpec {
  name: string;
  arg?: ArgType;
}

const SAMPLES: Record<string, string> = {
  string: '"text"',
  number: "1",
  boolean: "true",
  bigint: "1n",
  unknown: '"anything"',
  null: "null",
  Pid: "watched",
  ServerRef: "watched",
};
const OTPKIT_TYPES = new Set(["Pid", "ServerRef"]);
const SYNTAX =
  "Use name or name:Type, Type one of string, number, boolean, bigint, unknown, null, Pid, " +
  "ServerRef, each optionally followed by [] and joined by | (e.g. subscribe:Pid, put:string, " +
  "add:number[], set:string|null); add ? for an argument that may be left out (subscribe:Pid?).";

/** Parses one `--call`/`--cast` value (`option` names the flag, for messages). */
export function parseHandlerSpec(raw: string, option: string): HandlerSpec {
  if (raw.trim() === "")
    throw badInput(`--${option} needs a handler name (e.g. --${option} get). ${SYNTAX}`);
  const colon = raw.indexOf(":");
  const name = checkHandlerName(colon === -1 ? raw : raw.slice(0, colon));
  if (colon === -1) return { name };
  let type = raw.slice(colon + 1).replace(/\s+/g, "");
  const optional = type.endsWith("?");
  if (optional) type = type.slice(0, -1);
  const members = type.split("|");
  const parsed = members.map((m) => /^([A-Za-z]+)((?:\[\])*)$/.exec(m));
  const bad = members.find((m, i) => parsed[i] === null || !(parsed[i]![1] in SAMPLES));
  if (type === "" || bad !== undefined)
    throw badInput(
      `--${option} ${JSON.stringify(raw)}: ${type === "" ? "no type after the colon" : `unknown type ${JSON.stringify(bad)}`}. ${SYNTAX}`,
    );
  const bases = parsed.map((p) => p![1]);
  const depth = parsed[0]![2].length / 2;
  const first = SAMPLES[bases[0]];
  const sample = "[".repeat(depth) + first + "]".repeat(depth);
  const isPid = type === "Pid";
  return {
    name,
    arg: {
      text: members.join(" | "),
      optional,
      imports: [...new Set(bases.filter((b) => OTPKIT_TYPES.has(b)))],
      isPid,
      sample,
      needsProcess: first === "watched",
      param: isPid ? "pid" : type === "Pid[]" ? "pids" : "value",
    },
  };
}

/** Parses a repeatable `--call`/`--cast` option (yargs gives undefined, a string or an array). */
export function parseHandlerSpecs(v: unknown, option: string): HandlerSpec[] {
  if (v === undefined) return [];
  const values = (Array.isArray(v) ? v : [v]).map(String);
  if (values.length === 0)
    throw badInput(`--${option} needs a handler name (e.g. --${option} get). ${SYNTAX}`);
  return values.map((raw) => parseHandlerSpec(raw, option));
}

/** `import { a, type B } from`: the names, types marked (for `verbatimModuleSyntax`). */
export function importList(values: string[], types: string[]): string {
  return [...values, ...types.map((t) => `type ${t}`)]
    .sort((a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, "")))
    .join(", ");
}

/** The template data of one call or cast handler (shared with `scaffold handler`). */
export function handlerData(
  spec: HandlerSpec,
  kind: "call" | "cast",
  Server: string,
  State: string,
  options: { example: boolean; down: boolean },
): Data {
  const arg = spec.arg;
  const monitors = options.example && options.down && arg?.isPid === true;
  const param = arg ? `${monitors ? "" : "_"}${arg.param}` : "_arg";
  const paramType = arg ? `${arg.text}${arg.optional ? " | undefined" : ""}` : "void";
  const fromCaller = monitors && kind === "call" && arg!.optional;
  const monitor = !monitors
    ? ""
    : fromCaller
      ? `const who = pid ?? from.pid;\nstate.watching.set(this.monitor(who), who);`
      : arg!.optional
        ? `if (pid !== undefined) state.watching.set(this.monitor(pid), pid);`
        : `state.watching.set(this.monitor(pid), pid);`;
  return {
    name: spec.name,
    Server,
    State,
    example: options.example,
    param: `${param}: ${paramType}`,
    from: fromCaller ? "from" : "_from",
    monitor,
    clientParam: arg ? `, ${arg.param}${arg.optional ? "?" : ""}: ${arg.text}` : "",
    clientArg: arg ? `, ${arg.param}` : "",
    needsProcess: arg?.needsProcess === true,
    testArg: arg ? `, ${arg.sample}` : "",
  };
}
