/**
 * Name validation and the derived spellings (kebab-case file names,
 * PascalCase type names). Every check says what was wrong and what would be
 * accepted.
 */
import { badInput } from "./errors";

/** JavaScript's reserved words, strict-mode ones and TypeScript's contextual ones that cannot name a binding. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with implements interface let package private protected " +
    "public static yield await arguments eval undefined NaN Infinity async of type declare " +
    "namespace module abstract any boolean never number object string symbol unknown bigint"
  ).split(" "),
);

/**
 * Names a generated module would clash with: what it imports and declares
 * (State, Arg...) and the globals its code relies on.
 */
const TAKEN_MODULE_NAMES = new Set(
  (
    "State Arg GenServer Supervisor SupervisorModule SupervisorSpec From Pid Ref ServerRef Down " +
    "Exit Self Debug DebugOption SpecialProcess StartOptions Promise Map Set WeakMap Array Object " +
    "String Number Boolean Symbol BigInt Date Error RegExp JSON Math Function Record Partial " +
    "Required Readonly"
  ).split(" "),
);

/** Identifiers the generated handlers and clients rely on at module level. */
const TAKEN_HANDLER_NAMES = new Set(
  (
    "ok reply noreply stop send spawn exit sys procLib isDown handled start startLink " +
    "expect describe it test jest label explore syncWith awaitDown awaitSysEvent"
  ).split(" "),
);

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const IDENTIFIER = /^[a-z_$][A-Za-z0-9_$]*$/;

/** Checks a module name (`Subscribers`, `ChatRoom`): a PascalCase type name, not reserved. */
export function checkModuleName(name: string, what = "module name"): string {
  if (!PASCAL.test(name))
    throw badInput(
      `Invalid ${what} ${JSON.stringify(name)}: use PascalCase — a capital letter, then letters ` +
        `or digits (e.g. Subscribers, ChatRoom, Cache2).`,
    );
  if (TAKEN_MODULE_NAMES.has(name))
    throw badInput(
      `Invalid ${what} ${JSON.stringify(name)}: it is reserved (the generated code uses it). ` +
        `Pick another PascalCase name, e.g. ${name}Server.`,
    );
  return name;
}

/** Checks a handler name (`subscribe`, `getAll`): a camelCase identifier, not a reserved word. */
export function checkHandlerName(name: string): string {
  if (!IDENTIFIER.test(name))
    throw badInput(
      `Invalid handler name ${JSON.stringify(name)}: use a JavaScript identifier starting with a ` +
        `lower-case letter, _ or $, then letters, digits, _ or $ (e.g. subscribe, getAll).`,
    );
  if (RESERVED.has(name) || TAKEN_HANDLER_NAMES.has(name))
    throw badInput(
      `Invalid handler name ${JSON.stringify(name)}: it is a reserved word or a name the ` +
        `generated code uses. Pick another identifier, e.g. ${name}Request or do${pascal(name)}.`,
    );
  return name;
}

/** Checks that no name appears twice among the client functions (calls and casts share the module's namespace). */
export function checkDistinct(names: string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n))
      throw badInput(`Duplicate ${what} ${JSON.stringify(n)}: each name may appear once.`);
    seen.add(n);
  }
}

/** `ChatRoom` → `chat-room`, `HTTPCache` → `http-cache`. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** `getAll` → `GetAll`. */
export function pascal(name: string): string {
  const s = name.replace(/^[_$]+/, "");
  return s.charAt(0).toUpperCase() + s.slice(1);
}
