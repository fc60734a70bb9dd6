/**
 * The runtime's one queue (runtime/queue.ts), behind mailboxes, the run queue
 * and the in-flight signals of each pair: it behaves as an array used as a
 * FIFO, also across its compactions and resets.
 */
import fc from "fast-check";
import { Queue } from "../../runtime/queue";

type Op =
  | { op: "push"; x: number }
  | { op: "shift" }
  | { op: "unshift"; x: number }
  | { op: "takeAt"; at: number }
  | { op: "removeAll"; mod: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("push" as const), x: fc.integer() }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant("shift" as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("unshift" as const), x: fc.integer() }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant("takeAt" as const), at: fc.nat() }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("removeAll" as const),
      mod: fc.integer({ min: 2, max: 9 }),
    }),
    weight: 1,
  },
);

/** Applies `o` to the queue and to the array model; returns what each gave back. */
function apply(q: Queue<number>, model: number[], o: Op): [unknown, unknown] {
  switch (o.op) {
    case "push":
      q.push(o.x);
      model.push(o.x);
      return [undefined, undefined];
    case "shift":
      if (model.length === 0) return [undefined, undefined];
      return [q.shift(), model.shift()];
    case "unshift":
      q.unshift(o.x);
      model.unshift(o.x);
      return [undefined, undefined];
    case "takeAt": {
      if (model.length === 0) return [undefined, undefined];
      const i = o.at % model.length;
      return [q.takeAt(i), model.splice(i, 1)[0]];
    }
    case "removeAll": {
      const match = (x: number) => x % o.mod === 0;
      const before = model.length;
      model.splice(0, model.length, ...model.filter((x) => !match(x)));
      return [q.removeAll(match), before - model.length];
    }
  }
}

/** Pushes 0..n-1, taking the oldest after every push past the first `depth`. */
function steady(q: Queue<number>, n: number, depth: number): number[] {
  const taken: number[] = [];
  for (let i = 0; i < n; i++) {
    q.push(i);
    if (i >= depth) taken.push(q.shift());
  }
  return taken;
}

describe("Queue", () => {
  it("gives back what an array used as a FIFO gives back, under any sequence of operations", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new Queue<number>();
        const model: number[] = [];
        for (const o of ops) {
          const [got, want] = apply(q, model, o);
          expect(got).toBe(want);
        }
        expect(q.toArray()).toEqual(model);
      }),
    );
  });

  it("gives back what an array gives back when it spans several segments (thousands of entries)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 3500 }),
        fc.array(op, { maxLength: 200 }),
        (depth, ops) => {
          const q = new Queue<number>();
          const model: number[] = [];
          for (let i = 0; i < depth; i++) {
            q.push(i);
            model.push(i);
          }
          for (const o of ops) {
            const [got, want] = apply(q, model, o.op === "takeAt" ? { ...o, at: o.at * 37 } : o);
            expect(got).toBe(want);
          }
          expect(q.length).toBe(model.length);
          expect(q.toArray()).toEqual(model);
          const last = model[model.length - 1];
          expect([q.at(model.length - 1), q.find((x) => x === last)]).toEqual([
            last,
            model.indexOf(last),
          ]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("keeps arrival order while its used-up front is dropped (deep steady state)", () => {
    const q = new Queue<number>();
    const taken = steady(q, 10_000, 3_000);
    expect([taken.length, taken.every((x, i) => x === i)]).toEqual([7_000, true]);
  });

  it("keeps the entries not yet taken after its used-up front is dropped", () => {
    const q = new Queue<number>();
    steady(q, 10_000, 3_000);
    expect(q.toArray()).toEqual(Array.from({ length: 3_000 }, (_, i) => 7_000 + i));
  });

  it("is usable again after it is emptied and starts over", () => {
    const q = new Queue<number>();
    steady(q, 1_000, 0);
    q.push(7);
    q.push(8);
    expect(q.toArray()).toEqual([7, 8]);
  });

  it("puts an entry back in front after takes (unshift into the used-up front)", () => {
    const q = new Queue<number>();
    for (const x of [1, 2, 3]) q.push(x);
    q.unshift(q.shift());
    expect(q.toArray()).toEqual([1, 2, 3]);
  });

  it("finds the first match at or after `from`, as an index from the front", () => {
    const q = new Queue<number>();
    for (const x of [0, 5, 10, 15, 20]) q.push(x);
    q.shift();
    expect([q.find((x) => x % 10 === 0), q.find((x) => x % 10 === 0, 2)]).toEqual([1, 3]);
  });

  it("gives the entry at an index from the front (at)", () => {
    const q = new Queue<string>();
    for (const x of ["a", "b", "c"]) q.push(x);
    q.shift();
    expect([q.at(0), q.at(1)]).toEqual(["b", "c"]);
  });

  it("gives the index of an entry by identity from the front (indexOf), -1 if absent", () => {
    const a = {};
    const b = {};
    const q = new Queue<object>();
    q.push({});
    q.push(a);
    q.shift();
    expect([q.indexOf(a), q.indexOf(b)]).toEqual([0, -1]);
  });

  it("copies at most `limit` entries, oldest first (toArray)", () => {
    const q = new Queue<number>();
    for (const x of [1, 2, 3, 4]) q.push(x);
    q.shift();
    expect(q.toArray(2)).toEqual([2, 3]);
  });

  it("holds nothing after clear", () => {
    const q = new Queue<number>();
    for (const x of [1, 2, 3]) q.push(x);
    q.clear();
    expect([q.length, q.toArray()]).toEqual([0, []]);
  });

  it("keeps no reference to a taken entry", () => {
    const q = new Queue<object>();
    const taken = {};
    q.push(taken);
    q.push({});
    q.shift();
    const holds = Object.values(q).some((v) => Array.isArray(v) && v.includes(taken));
    expect(holds).toBe(false);
  });

  it("keeps arrival order through a deep backlog taken down to a few entries", () => {
    const q = new Queue<number>();
    for (let i = 0; i < 5_000; i++) q.push(i);
    const taken: number[] = [];
    while (q.length > 10) taken.push(q.shift());
    for (let i = 5_000; i < 5_100; i++) q.push(i);
    while (q.length > 0) taken.push(q.shift());
    expect(taken).toEqual(Array.from({ length: 5_100 }, (_, i) => i));
  });
});
