/**
 * Helpers for the project's own runtime tests (the Jest preset's helpers
 * come later and are tested on their own).
 */
import {
  Down,
  Exit,
  ExitError,
  Pid,
  Ref,
  createNode,
  isDown,
  isExit,
  LogEvent,
  Node,
  NodeOptions,
  Self,
  setCurrentNode,
} from "otpkit";

/** A node whose reports are collected in `logs` instead of printed. */
export type QuietNode = Node & { logs: LogEvent[] };

/** A node whose reports are collected in `logs` instead of printed. */
export function quietNode(options: NodeOptions = {}): QuietNode {
  const logs: LogEvent[] = [];
  const node = createNode({ ...options, logger: (e) => logs.push(e) }) as Node & {
    logs: LogEvent[];
  };
  node.logs = logs;
  return node;
}

/**
 * Runs `body` as a process on `node` and resolves with what it returns;
 * rejects with its exit reason if it ends any other way (so a failed
 * `expect` inside a process fails the test).
 */
export function run<T>(node: Node, body: (self: Self) => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let result: T;
    let returned = false;
    const pid = node.spawn(async (self) => {
      result = await body(self);
      returned = true;
    });
    node.awaitExit(pid).then((reason) => {
      if (returned && reason === "normal") resolve(result);
      else
        reject(reason instanceof Error ? reason : new Error(`process exited: ${String(reason)}`));
    });
  });
}

/** Seeds 1..n, for running a scenario under many random schedules. */
export function seeds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Runs `scenario` on a fresh random-mode node for each of `n` seeds. */
export async function forSeeds(
  n: number,
  scenario: (node: Node & { logs: LogEvent[] }, seed: number) => Promise<void>,
): Promise<void> {
  for (const seed of seeds(n)) {
    const node = quietNode({ mode: "random", seed });
    try {
      await scenario(node, seed);
    } catch (e) {
      // A fresh error: Jest prints an assertion's own message, which would hide the seed.
      const err = new Error(`[seed ${seed}] ${e instanceof Error ? e.message : String(e)}`);
      if (e instanceof Error)
        err.stack = `${err.message}\n${e.stack?.split("\n").slice(1).join("\n")}`;
      throw err;
    } finally {
      node.shutdown();
    }
  }
}

/**
 * Gives each test of the file a fresh quiet node, current for the
 * module-level API (handed to `set`), and shuts it down (and real timers
 * back) after the test.
 */
export function eachTestNode(set: (node: QuietNode) => void): void {
  let node: QuietNode;
  beforeEach(() => {
    node = quietNode();
    setCurrentNode(node);
    set(node);
  });
  afterEach(() => {
    jest.useRealTimers();
    setCurrentNode(undefined);
    node.shutdown();
  });
}

/** Jest's fake timers for the runtime's timers (the scheduler never uses them). */
export function useFakeTimers(): void {
  jest.useFakeTimers({ doNotFake: ["queueMicrotask", "nextTick"] });
}

/** The ExitError a promise rejects with (fails the test if it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<ExitError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ExitError);
    return e as ExitError;
  }
  throw new Error("expected a rejection, got a value");
}

/** Matches the DOWN of monitor `ref`. */
export const downOf =
  (ref: Ref) =>
  (m: unknown): m is Down =>
    isDown(m, ref);

/** Matches an EXIT message from `pid`. */
export const exitFrom =
  (pid: Pid) =>
  (m: unknown): m is Exit =>
    isExit(m, pid);

/** Matches exactly the value `v`. */
export const is =
  <T>(v: T) =>
  (m: unknown): m is T =>
    m === v;
