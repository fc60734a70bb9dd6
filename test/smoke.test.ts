import { createNode, isDown, TIMEOUT } from "otpkit";

it("a process receives, replies and its DOWN arrives", async () => {
  const node = createNode();
  const got: unknown[] = [];
  const echo = node.spawn(async (self) => {
    for (;;) {
      const m = (await self.receive()) as { from: any; x: number };
      if (m.x < 0) return;
      self.send(m.from, m.x * 2);
    }
  });
  const client = node.spawn(async (self) => {
    const ref = self.monitor(echo);
    for (let i = 0; i < 3; i++) {
      self.send(echo, { from: self.pid, x: i });
      got.push(await self.receive());
    }
    self.send(echo, { from: self.pid, x: -1 });
    const d = await self.receive((m) => isDown(m, ref));
    got.push(d.reason);
    got.push(await self.receive(undefined, { timeout: 0 }));
  });
  await node.awaitExit(client);
  expect(got).toEqual([0, 2, 4, "normal", TIMEOUT]);
});

it("a node shut down from inside a handler process stops cleanly", async () => {
  const node = createNode();
  const exited = node.spawn(async (self) => void (await self.receive()));
  const reason = node.awaitExit(exited);
  const stopper = node.spawnHandler(() => node.shutdown());
  const other = node.spawnHandler(() => {});
  node.send(stopper, "stop");
  node.send(other, "queued behind the stopper, in the same turn");
  expect(await reason).toBe("killed");
  expect(node.processes()).toEqual([]);
});
