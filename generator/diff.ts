/** A small unified diff (LCS by lines) for `--dry-run`. */

/** The unified diff of `before` → `after`, labelled `name`, with 3 lines of context. */
export function unifiedDiff(name: string, before: string, after: string, created = false): string {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  const ops = diffLines(a, b);
  const out = [`--- ${created ? "/dev/null" : `a/${name}`}`, `+++ b/${name}`];
  const context = 3;
  let i = 0;
  while (i < ops.length) {
    if (ops[i].op === " ") {
      i++;
      continue;
    }
    // A hunk: from `context` lines before the change to `context` after the last nearby change.
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end].op !== " ") {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run].op === " ") run++;
      if (run === ops.length || run - end > 2 * context) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end = run;
    }
    while (start > 0 && ops[start - 1].op !== " ") start--;
    const slice = ops.slice(start, end);
    const aStart = slice[0].a;
    const bStart = slice[0].b;
    const aLen = slice.filter((o) => o.op !== "+").length;
    const bLen = slice.filter((o) => o.op !== "-").length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of slice) out.push(o.op + o.text);
    i = end;
  }
  return out.join("\n");
}

interface Op {
  op: " " | "-" | "+";
  text: string;
  /** Lines of `a` / `b` before this one. */
  a: number;
  b: number;
}

function diffLines(a: string[], b: string[]): Op[] {
  // Trim the common prefix and suffix, then LCS on the middle.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (
    suf < a.length - pre &&
    suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]
  )
    suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const n = am.length;
  const m = bm.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let ai = 0;
  let bi = 0;
  for (let k = 0; k < pre; k++) ops.push({ op: " ", text: a[k], a: ai++, b: bi++ });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ op: " ", text: am[i], a: ai++, b: bi++ });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ops.push({ op: "+", text: bm[j++], a: ai, b: bi++ });
    } else {
      ops.push({ op: "-", text: am[i++], a: ai++, b: bi });
    }
  }
  for (let k = a.length - suf; k < a.length; k++)
    ops.push({ op: " ", text: a[k], a: ai++, b: bi++ });
  return ops;
}
