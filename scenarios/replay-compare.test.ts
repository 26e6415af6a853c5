import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../twin/kernel/rng.ts';
import type { LogLine } from './field-log.ts';
import { BEHIND_KEPT, LineComparison, type Divergence, type TwinLine } from './replay-compare.ts';
import { BlockComparisons, type BlockComparison } from './replay-blocks.ts';

/** The comparison as it was made on the whole log and the whole twin log at once, before the replay streamed: the reference. */
function wholeComparison(lines: LogLine[], twin: TwinLine[], tol: number): { agreeing: number; twinOnly: number; first: Divergence | null } {
  let agreeing = 0;
  let twinOnly = 0;
  let first: Divergence | null = null;
  let p = 0;
  const firstAtOrAfter = (t: number): number => { let q = 0; while (q < twin.length && twin[q].t < t) q++; return q; };
  const find = (l: LogLine, from: number): number => {
    for (let q = Math.max(from, firstAtOrAfter(l.t - tol)); q < twin.length && twin[q].t <= l.t + tol; q++) if (twin[q].text === l.text) return q;
    return -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (i > 0 && l.gapStart && lines[i - 1].t < l.t) {
      while (p < twin.length && twin[p].t < l.t - tol) p++;
      let q = p;
      while (q < twin.length && twin[q].t <= l.t + tol && twin[q].text !== l.text) q++;
      if (q < twin.length && twin[q].text === l.text && twin[q].t <= l.t + tol) p = q;
    }
    const w = twin[p];
    let reason: Divergence['reason'] | null = null;
    if (!w) reason = 'missing';
    else if (w.text !== l.text) reason = 'text';
    else if (Math.abs(w.t - l.t) > tol) reason = 'time';
    if (reason === null) { agreeing++; p++; continue; }
    if (reason === 'text') {
      const q = find(l, p + 1);
      if (q >= 0) {
        first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w!.text, observedT: w!.t, reason: 'unlogged' };
        twinOnly += q - p; agreeing++; p = q + 1;
        continue;
      }
      const next = lines[i + 1];
      if (!(next !== undefined && next.text === w!.text && Math.abs(w!.t - next.t) <= tol)) p++;
    } else if (w) p++;
    first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w ? w.text : null, observedT: w ? w.t : null, reason };
  }
  return { agreeing, twinOnly, first };
}

/** Two similar line sequences: the twin's, and the log's with lines dropped, added, changed, shifted, gaps, silences. */
function randomPair(rng: Rng): { log: LogLine[]; twin: TwinLine[] } {
  const texts = ['A', 'B', 'C', 'D'];
  const twin: TwinLine[] = [];
  const log: LogLine[] = [];
  let t = 0;
  let prevLogT = -1;
  const n = rng.int(0, 120);
  for (let i = 0; i < n; i++) {
    t += rng.next() < 0.05 ? rng.int(20, 200) : rng.next() < 0.3 ? 0 : rng.int(1, 300) / 100;
    const text = texts[rng.int(0, rng.next() < 0.7 ? 1 : 3)];
    if (rng.next() < 0.9) twin.push({ t, text });
    const k = rng.next();
    if (k < 0.08) continue; // cut out of the capture
    const lt = k < 0.15 ? t + rng.int(-200, 200) / 100 : t;
    const lineT = Math.max(lt, prevLogT < 0 ? 0 : prevLogT);
    const line: LogLine = { lineNo: log.length + 1, t: lineT, text: k < 0.22 ? texts[rng.int(0, 3)] : text };
    if (rng.next() < 0.05 && lineT > prevLogT && log.length > 0) line.gapStart = true;
    log.push(line);
    prevLogT = lineT;
    if (rng.next() < 0.03) log.push({ lineNo: log.length + 1, t: lineT, text: texts[rng.int(0, 3)] });
  }
  if (rng.next() < 0.2) for (let i = 0; i < 5; i++) { t += 1; log.push({ lineNo: log.length + 1, t, text: 'A' }); } // the twin fell silent
  return { log, twin };
}

/**
 * The streaming comparison fed as a replay feeds it: log lines as they are read, twin lines as the twin prints them,
 * the twin's time in random steps.
 */
function streamedComparison(log: LogLine[], twin: TwinLine[], tol: number, rng: Rng): LineComparison {
  const c = new LineComparison(tol);
  let li = 0;
  let ti = 0;
  const end = Math.max(log.at(-1)?.t ?? 0, twin.at(-1)?.t ?? 0) + 10;
  for (let now = 0; now < end; now += rng.int(1, 500) / 100) {
    while (li < log.length && log[li].t <= now + rng.int(0, 300) / 100) c.addLog(log[li++]);
    while (ti < twin.length && twin[ti].t < now) { c.addTwin(twin[ti].t, twin[ti].text); ti++; }
    c.twinAt(now);
    c.step();
  }
  while (li < log.length) c.addLog(log[li++]);
  c.logEnded();
  c.step();
  while (ti < twin.length) { c.addTwin(twin[ti].t, twin[ti].text); ti++; }
  c.twinEnded();
  c.step();
  return c;
}

test('streamed, the comparison decides every line as the whole-log comparison did, on random logs', () => {
  const rng = new Rng(7);
  for (let run = 0; run < 3000; run++) {
    const { log, twin } = randomPair(rng);
    const tol = [0.5, 0.01, 2][run % 3];
    const want = wholeComparison(log, twin, tol);
    const got = streamedComparison(log, twin, tol, rng);
    const shown = `run ${run}: ${JSON.stringify({ log, twin, tol })}`;
    assert.equal({ agreeing: got.agreeing, twinOnly: got.twinOnly, first: got.first }, want, shown);
    assert.is(got.compared, log.length, shown);
  }
});

test('the comparison holds only the lines it has not decided: a twin that agrees for hours keeps a handful', () => {
  const c = new LineComparison(0.5);
  let most = 0;
  for (let i = 0; i < 200_000; i++) {
    const t = i * 0.3;
    c.addTwin(t, `line ${i % 7}`);
    c.addLog({ lineNo: i + 1, t, text: `line ${i % 7}` });
    c.twinAt(t + 0.001);
    c.step();
    most = Math.max(most, c.held.log + c.held.twin);
  }
  c.logEnded(); c.twinEnded(); c.step();
  assert.is(c.agreeing, 200_000);
  assert.ok(most < 3000, `${most} lines held`);
});

test('log lines the twin ran past in silence each take its next line, and the first of them is the divergence', () => {
  const c = new LineComparison(0.5);
  for (let i = 0; i < 10_000; i++) c.addLog({ lineNo: i + 1, t: i, text: 'A' });
  c.twinAt(20_000);
  c.step();
  assert.ok(c.held.log < 2000, `${c.held.log} log lines held`);
  c.addTwin(20_000.5, 'B');
  c.logEnded();
  c.twinEnded();
  c.step();
  assert.equal(c.first, { lineNo: 1, t: 0, expected: 'A', observed: 'B', observedT: 20_000.5, reason: 'text' });
  assert.is(c.compared, 10_000);
  assert.is(c.agreeing, 0);
});

test('once parted, a twin that prints far more than the log keeps at most BEHIND_KEPT lines behind it, the rest counted as lines the log lacks', () => {
  const c = new LineComparison(0.5);
  c.addLog({ lineNo: 1, t: 0, text: 'X' });
  for (let i = 0; i < 100_000; i++) {
    for (let k = 0; k < 3; k++) c.addTwin(i + k * 0.1, `twin ${k}`);
    c.addLog({ lineNo: i + 2, t: i + 0.05, text: 'log' });
    c.twinAt(i + 0.9);
    c.step();
  }
  c.logEnded(); c.twinEnded(); c.step();
  assert.ok(c.held.twin <= BEHIND_KEPT + 10, `${c.held.twin} twin lines held`);
  assert.ok(c.dropped > 100_000, String(c.dropped));
  assert.is(c.twinOnly, c.dropped);
  assert.is(c.first!.lineNo, 1);
  assert.is(c.compared, 100_001);
});

/** The block pairing as it was made on whole logs: the twin block nearest each log block, kept if within a minute. */
function wholeBlocks(log: { lineNo: number; t: number; credit: number; kwh: number }[], twin: { t: number; credit: number; kwh: number }[], tol: number): BlockComparison[] {
  let k = 0;
  return log.map((r) => {
    while (k + 1 < twin.length && Math.abs(twin[k + 1].t - r.t) <= Math.abs(twin[k].t - r.t)) k++;
    const w = twin[k] && Math.abs(twin[k].t - r.t) <= Math.max(tol, 60) ? twin[k] : null;
    return { lineNo: r.lineNo, t: r.t, credit: r.credit, kwh: r.kwh, twinCredit: w?.credit ?? null, twinKwh: w?.kwh ?? null };
  });
}

test('streamed, each log block is paired with the twin block the whole-log pairing chose, and the summary sums them', () => {
  const rng = new Rng(3);
  for (let run = 0; run < 500; run++) {
    const log: { lineNo: number; t: number; credit: number; kwh: number; pf: number; hz: number; vrms: number; amps: number; watts: number }[] = [];
    const twin: { t: number; credit: number; kwh: number }[] = [];
    let t = 0;
    for (let i = 0; i < rng.int(0, 40); i++) {
      t += rng.next() < 0.2 ? 0 : rng.int(0, 20000) / 100;
      if (rng.next() < 0.8) log.push({ lineNo: i + 1, t, credit: rng.next() < 0.05 ? NaN : rng.int(0, 5), kwh: i, pf: 1, hz: 50, vrms: 230, amps: 1, watts: 230 });
      if (rng.next() < 0.8) twin.push({ t: t + rng.int(-9000, 9000) / 100, credit: rng.int(0, 5), kwh: i });
    }
    twin.sort((a, b) => a.t - b.t);
    const want = wholeBlocks(log, twin, 0.5);
    const c = new BlockComparisons(0.5);
    let ti = 0;
    let li = 0;
    for (let now = -100; now < t + 200; now += rng.int(1, 3000) / 100) {
      while (li < log.length && log[li].t <= now) c.addLog(log[li++]);
      while (ti < twin.length && twin[ti].t < now) { c.addTwin(twin[ti].t, `ENERGY : ${twin[ti].kwh}`); c.addTwin(twin[ti].t, `CREDIT : ${twin[ti].credit}`); ti++; }
      c.twinAt(now);
      c.step();
    }
    while (li < log.length) c.addLog(log[li++]);
    while (ti < twin.length) { c.addTwin(twin[ti].t, `ENERGY : ${twin[ti].kwh}`); c.addTwin(twin[ti].t, `CREDIT : ${twin[ti].credit}`); ti++; }
    c.twinEnded();
    c.step();
    const paired = want.filter((b) => b.twinCredit !== null && Number.isFinite(b.credit));
    let worst: BlockComparison | null = null;
    for (const b of paired) if (worst === null || Math.abs(b.twinCredit! - b.credit) > Math.abs(worst.twinCredit! - worst.credit)) worst = b;
    assert.equal(c.summary, {
      count: want.length, paired: paired.length, sameCredit: paired.filter((b) => b.twinCredit === b.credit).length, worst, last: paired.at(-1) ?? null,
    }, `run ${run}`);
  }
});

test.run();
