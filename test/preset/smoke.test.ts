import { GenServer, Pid, isDown, noreply, ok, reply, spawn, exit, From, Ref } from "otpkit";

const Subs = GenServer.define({
  name: "Subs",
  init: (_: void) => ok(new Map<Ref, Pid>()),
  handleCall: {
    subscribe(pid: Pid, _from: From, s: Map<Ref, Pid>) {
      s.set(this.monitor(pid), pid);
      return reply("ok", s);
    },
    list(_: void, _f: From, s: Map<Ref, Pid>) {
      return reply([...s.values()], s);
    },
  },
  handleInfo(m, s) {
    if (isDown(m)) s.delete(m.ref);
    return noreply(s);
  },
});

it("the helpers are globals and work together", async () => {
  const server = await Subs.start(undefined);
  const a = spawn(async (self) => void (await self.receive()));
  await Subs.call(server, "subscribe", a);
  const seen = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
  exit(a, "kill");
  await seen;
  expect(await Subs.call(server, "list")).toEqual([]);
  await expect(server).toBeAlive();
  await expect(awaitDown(a)).resolves.toBe("killed");
  const me = testProcess();
  me.send(me.pid, "hello");
  expect(await me.assertReceive("hello")).toBe("hello");
  await me.refuteReceive();
});
