/**
 * `npm run demo`: the story otpkit exists for, told with the runtime alone.
 *
 * A server monitors its subscribers and drops one when its DOWN arrives. A
 * test kills a subscriber and at once asks for the subscribers. The DOWN and
 * the call come from different senders, so either may arrive first. Run
 * under many random schedules, the naive test fails in some; the test that
 * waits for the server's own `in DOWN` sys event passes in all.
 */
import { Down, Node, Pid, SysEvent, attachDebug, createNode, setCurrentNode } from "../runtime";
import { Subscribers, subscribe, subscribers } from "./subscribers/subscribers";

const RUNS = 500;

/** Resolves once `server` has handled the DOWN of `pid` (its `in` event, then the handler's result). */
function downHandled(server: Pid, pid: Pid): Promise<void> {
  return new Promise((resolve) => {
    let seen = false;
    attachDebug(
      server,
      (_s, e: SysEvent) => {
        const msg = (e as { msg?: unknown }).msg;
        if (e.kind === "in" && msg instanceof Down && msg.pid === pid) seen = true;
        else if (seen) {
          resolve();
          return "done";
        }
        return undefined;
      },
      undefined,
    );
  });
}

/** One run of the scenario on a fresh node with `seed`; true if the subscriber list was right. */
async function scenario(seed: number, fixed: boolean): Promise<boolean> {
  const node: Node = createNode({ mode: "random", seed, logger: () => {} });
  setCurrentNode(node);
  try {
    const server = await Subscribers.start(undefined);
    const idle = async (self: { receive(): Promise<unknown> }) => void (await self.receive());
    const a = node.spawn(idle);
    const b = node.spawn(idle);
    await subscribe(server, a);
    await subscribe(server, b);
    const handled = fixed ? downHandled(server, a) : undefined; // armed before the trigger
    node.exit(a, "kill");
    await handled;
    const list = await subscribers(server);
    return list.length === 1 && list[0] === b;
  } finally {
    setCurrentNode(undefined);
    node.shutdown();
  }
}

async function main(): Promise<void> {
  const say = (s = "") => process.stdout.write(s + "\n");
  say("otpkit demo: the subscriber race\n");
  say("A Subscribers server monitors its subscribers and drops one on DOWN.");
  say("The test kills subscriber A, then asks the server for its subscribers.\n");

  let t = performance.now();
  const failing: number[] = [];
  for (let seed = 1; seed <= RUNS; seed++) if (!(await scenario(seed, false))) failing.push(seed);
  const naiveMs = performance.now() - t;
  say(`Naive test (kill, then call at once), ${RUNS} random schedules:`);
  say(
    `  failed in ${failing.length} of them (first seeds: ${failing.slice(0, 5).join(", ") || "none"}), ${naiveMs.toFixed(0)} ms`,
  );
  say("  The DOWN (sent on A's behalf) and the call (sent by the test) race.\n");

  t = performance.now();
  let fixedFailures = 0;
  for (let seed = 1; seed <= RUNS; seed++) if (!(await scenario(seed, true))) fixedFailures++;
  const fixedMs = performance.now() - t;
  say(
    `Fixed test (watch the server through sys for its "in DOWN" event, then call), ${RUNS} schedules:`,
  );
  say(`  failed in ${fixedFailures}, ${fixedMs.toFixed(0)} ms\n`);

  const ok = failing.length > 0 && fixedFailures === 0;
  say(
    ok
      ? "As expected: the race is real, and observing the server fixes it without sleeping."
      : "UNEXPECTED: see the figures above.",
  );
  process.exitCode = ok ? 0 : 1;
}

void main();
