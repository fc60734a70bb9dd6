/**
 * Property (issue 3): any interleaving of suspend / resume / getState /
 * replaceState with ordinary messages from several senders, under random
 * schedules, never loses, duplicates or reorders a sender's messages.
 */
import fc from "fast-check";
import { From, GenServer, Self, noreply, ok, reply, sys } from "otpkit";
import { quietNode, run } from "../support";

/** Each sender's messages as the server handled them, and how often its state was replaced. */
interface State {
  log: Record<number, number[]>;
  replaced: number;
}

const Recorder = GenServer.define({
  name: "Recorder",
  init: (_: void) => ok<State>({ log: {}, replaced: 0 }),
  handleCast: {
    push({ from, seq }: { from: number; seq: number }, s: State) {
      (s.log[from] ??= []).push(seq);
      return noreply(s);
    },
  },
  handleCall: {
    /** Answered once the caller's earlier casts are handled (per-sender order). */
    sync(_: void, _f: From, s: State) {
      return reply("ok" as const, s);
    },
  },
});

type SysOp = "suspend" | "resume" | "getState" | "replaceState";

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  senders: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 5 }),
  ops: fc.array(fc.constantFrom<SysOp>("suspend", "resume", "getState", "replaceState"), {
    minLength: 1,
    maxLength: 25,
  }),
});

it("sys requests interleaved with several senders' casts never lose, duplicate or reorder a sender's messages", async () => {
  // Runs in which casts were queued behind a suspension (the case that matters): some must occur.
  let queuedWhileSuspended = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ seed, senders, ops }) => {
      const node = quietNode({ mode: "random", seed });
      try {
        const server = await Recorder.start(undefined, { node });
        await run(node, async (self) => {
          // The senders: casts 0..n-1, then a call that returns once they are handled.
          const sender = (from: number, n: number) => async (s: Self) => {
            for (let seq = 0; seq < n; seq++)
              Recorder.cast(server, "push", { from, seq }, { caller: s });
            await Recorder.call(server, "sync", undefined, { caller: s, timeout: Infinity });
          };
          // spawnMonitor, not spawn then monitor: a sender may finish before a separate
          // monitor signal lands, and its DOWN then says noproc (as on the BEAM).
          const downs = senders.map((n, from) => self.spawnMonitor(sender(from, n)).ref);
          // The controller: the sys requests, in the generated order, while the senders run.
          let replaced = 0;
          for (const op of ops) {
            if (op === "replaceState") {
              await sys.replaceState<State>(
                server,
                (st) => ({ ...st, replaced: st.replaced + 1 }),
                { caller: self },
              );
              replaced++;
            } else if (op === "getState") await sys.getState(server, { caller: self });
            else await sys[op](server, { caller: self });
            const info = node.processInfo(server);
            if (
              (await sys.getStatus(server, { caller: self })).sysState === "suspended" &&
              info!.messageQueueLen > 0
            )
              queuedWhileSuspended++;
          }
          await sys.resume(server, { caller: self }); // so the senders' calls are answered
          for (const ref of downs) {
            const d = await self.receive((m) => (m as { ref?: unknown }).ref === ref);
            expect((d as { reason: unknown }).reason).toBe("normal");
          }
          const st = await sys.getState<State>(server, { caller: self });
          senders.forEach((n, from) =>
            expect(st.log[from] ?? []).toEqual(Array.from({ length: n }, (_, i) => i)),
          );
          expect(st.replaced).toBe(replaced);
        });
      } finally {
        node.shutdown();
      }
    }),
    { numRuns: 60 },
  );
  expect(queuedWhileSuspended).toBeGreaterThan(0);
});
