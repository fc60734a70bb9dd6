import { Pid, createNode, setCurrentNode, sys, attachDebug, isDown, SysEvent } from "otpkit";
import { Subscribers, subscribe, subscribers } from "./subscribers";

describe("Subscribers, with the runtime alone", () => {
  const node = createNode();
  beforeAll(() => setCurrentNode(node));
  afterAll(() => {
    setCurrentNode(undefined);
    node.shutdown();
  });

  it("drops a subscriber once its DOWN has been handled", async () => {
    const server = await Subscribers.start(undefined);
    const a = node.spawn(async (self) => void (await self.receive()));
    const b = node.spawn(async (self) => void (await self.receive()));
    expect(await subscribe(server, a)).toBe("ok");
    await subscribe(server, b);
    expect(await subscribers(server)).toEqual([a, b]);

    // Watch the server through sys: continue once it has handled a's DOWN.
    const handled = new Promise<void>((resolve) => {
      let sawDown = false;
      attachDebug(
        server,
        (_s, e: SysEvent) => {
          if (
            e.kind === "in" &&
            isDown((e as { msg: unknown }).msg, undefined) &&
            (e as { msg: { pid: Pid } }).msg.pid === a
          )
            sawDown = true;
          else if (sawDown && e.kind === "noreply") {
            resolve();
            return "done";
          }
          return null;
        },
        null,
      );
    });
    node.exit(a, "kill");
    await handled;
    expect(await subscribers(server)).toEqual([b]);
    expect(await sys.getState(server)).toBeInstanceOf(Map);
  });
});
