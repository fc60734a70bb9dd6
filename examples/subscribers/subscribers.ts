/**
 * The subscriber server from the OTP story: `subscribe` monitors the caller
 * and stores it, `subscribers` lists them, and a DOWN drops the dead one.
 */
import { From, GenServer, Pid, Ref, ServerRef, isDown, noreply, ok, reply } from "otpkit";

/** The server's state: each subscriber's pid by its monitor ref. */
export type State = Map<Ref, Pid>;

export const Subscribers = GenServer.define({
  name: "Subscribers",
  init: (_arg: void) => ok<State>(new Map()),
  handleCall: {
    /** Subscribes `pid` (default: the caller), monitoring it. */
    subscribe(pid: Pid | undefined, from: From, state: State) {
      const who = pid ?? from.pid;
      state.set(this.monitor(who), who);
      return reply("ok" as const, state);
    },
    /** The live subscribers, in subscription order. */
    subscribers(_arg: void, _from: From, state: State) {
      return reply([...state.values()], state);
    },
  },
  handleInfo(msg, state) {
    if (isDown(msg)) state.delete(msg.ref);
    return noreply(state);
  },
});

/** Subscribes `pid` to `server`. */
export const subscribe = (server: ServerRef, pid?: Pid) =>
  Subscribers.call(server, "subscribe", pid);
/** Lists the subscribers of `server`. */
export const subscribers = (server: ServerRef) => Subscribers.call(server, "subscribers");
