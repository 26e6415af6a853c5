import { test } from 'uvu';
import { formatFloat } from '../twin/firmware/lib/print.ts';
import * as assert from 'uvu/assert';
import { Rng } from '../twin/kernel/rng.ts';
import { parseDebugLog, formatLogLine, type ParsedLog } from './field-log.ts';
import { TimelineBuilder, timeline, type TimelineEvent } from './field-timeline.ts';

/** The timeline as it was built from the whole log at once, before the replay read the log as a stream: the reference. */
function wholeLogTimeline(log: ParsedLog): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const powerOns = log.powerOns.slice(1);
  let prevEnd = 0;
  let pi = 0;
  const cut = (on: number): void => {
    const before = log.lines.filter((l) => l.t < on).pop();
    out.push({ t: before ? before.t : on, kind: 'power', on: false, from: before?.lineNo ?? 0 });
    out.push({ t: on, kind: 'power', on: true, from: before?.lineNo ?? 0 });
  };
  for (const r of log.readings) {
    while (pi < powerOns.length && powerOns[pi] <= r.t) { cut(powerOns[pi]); prevEnd = powerOns[pi]; pi++; }
    out.push({ t: prevEnd, kind: 'supply', vrms: r.vrms, hz: r.hz, watts: r.watts, pf: r.pf, amps: r.amps, from: r.lineNo });
    prevEnd = r.t;
  }
  for (; pi < powerOns.length; pi++) cut(powerOns[pi]);
  const lines = log.lines;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i].text !== 'topup:') continue;
    const amount = Number(lines[i + 1].text);
    if (!Number.isFinite(amount) || amount < 0) continue;
    let j = i - 1;
    while (j >= 0 && lines[j].text !== 'Performing HTTP POST request...') j--;
    if (j >= 0) out.push({ t: lines[j].t, kind: 'pending', amount, from: lines[i].lineNo });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/**
 * The builder fed a line at a time, its ready events taken after each: what the replay applies, in its order.
 * `late`: events that were still held although two readings blocks had ended after them.
 */
function streamed(log: ParsedLog): { events: TimelineEvent[]; late: number } {
  const b = new TimelineBuilder();
  const events: TimelineEvent[] = [];
  const all = wholeLogTimeline(log);
  let k = 0;
  let late = 0;
  for (const l of log.lines) {
    b.line(l);
    while (k < log.readings.length && log.readings[k].lineNo === l.lineNo) b.reading(log.readings[k++]);
    events.push(...b.take());
    const cutoff = k >= 3 ? log.readings[k - 3].t : -Infinity;
    late += all.filter((e) => e.t < cutoff).length > events.length ? 1 : 0;
  }
  b.end();
  events.push(...b.take());
  return { events, late };
}

const BLOCK = (rng: Rng): string[] => {
  const w = rng.int(0, 3000);
  return [`POWER FACTOR : ${rng.int(50, 100) / 100}`, 'FREQUENCY : 50.00', `MAINS VOLTAGE : ${rng.int(200, 250)}.00`,
    `CURRENT  : ${(w / 230).toFixed(2)}`, `ACTIVE POWER : ${w}.00`, `ENERGY : ${rng.int(0, 99)}.00`, `CREDIT : ${rng.int(0, 999)}.00`];
};

/**
 * A log of the firmware's lines in random passes: boots, readings blocks, polls with and without a top-up, success
 * POSTs; times that repeat (several lines in one microsecond) and jumps.
 */
function randomLog(seed: number): string {
  const rng = new Rng(seed);
  const out: string[] = [];
  let t = 0;
  const put = (text: string): void => {
    if (rng.next() < 0.6) t += rng.next() < 0.03 ? rng.int(600, 1000) : rng.int(1, 400) / 100;
    out.push(formatLogLine(Math.round(t * 1e6), text));
  };
  put('Device Powered! ');
  put('Modem: SIM800 R14.18');
  for (let pass = 0; pass < 60; pass++) {
    const x = rng.next();
    if (x < 0.12) { put('Device Powered! '); put('Setting up AFE... '); }
    else if (x < 0.35) { put('Connecting to APN: terminal OK'); put('Performing HTTP POST request...'); put('topup:'); put(`${rng.int(0, 3) * 50}.00`); put('Server disconnected'); }
    else if (x < 0.45) { put('Performing HTTP POST request...'); put('4/sucess'); put('Server disconnected'); }
    else if (x < 0.5) { put('Performing HTTP POST request...'); }
    for (const l of BLOCK(rng)) put(l);
  }
  return out.join('\n') + '\n';
}

test('fed a line at a time, the builder gives the events of the whole log, in the same order, on random logs', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const log = parseDebugLog(randomLog(seed));
    const want = wholeLogTimeline(log);
    const { events } = streamed(log);
    assert.equal(events, want, `seed ${seed}`);
  }
});

test('the events are handed out as the log is read: none waits once two more readings blocks have ended', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const log = parseDebugLog(randomLog(seed));
    const s = streamed(log);
    assert.is(s.late, 0, `seed ${seed}`);
    assert.ok(s.events.length > 60);
  }
});

test('a block after more than an hour of lines without one takes its load from an hour before it, not from the block before', () => {
  const text = ['[0.000000] Device Powered! ', ...BLOCK(new Rng(1)).map((l) => `[5.000000] ${l}`),
    ...Array.from({ length: 100 }, (_, i) => `[${100 + i * 60}.000000] Read failed`), ...BLOCK(new Rng(2)).map((l) => `[9000.000000] ${l}`)].join('\n');
  const log = parseDebugLog(text);
  assert.equal(timeline(log.lines, log.readings).map((e) => e.t), [0, 9000 - 3600]);
});

/** A readings block at `t` with `watts` and `kwh` (the other values fixed). */
const block = (t: number, watts: number, kwh: number): string[] => [`POWER FACTOR : 1.00`, 'FREQUENCY : 50.00', 'MAINS VOLTAGE : 230.00',
  `CURRENT  : ${(watts / 230).toFixed(2)}`, `ACTIVE POWER : ${watts.toFixed(2)}`, `ENERGY : ${kwh.toFixed(2)}`, 'CREDIT : 100.00'].map((l) => formatLogLine(t * 1e6, l));

test('for a build that bills the load as it changes (D21 fixed), a load change inside a pass is placed where the energy says', () => {
  // 100 W until 400 s, then 2100 W: 1.00 kWh at 300 s, 1.00 + (100 * 100 + 2100 * 200) / 3.6e6 = 1.1194 at 600 s, printed 1.12.
  const log = parseDebugLog([formatLogLine(0, 'Device Powered! '), ...block(300, 100, 1), ...block(600, 2100, 1.12), ...block(900, 2100, 1.12 + 2100 * 300 / 3.6e6)].join('\n'));
  const placed = timeline(log.lines, log.readings, { measuresDuringPoll: true }).map((e) => e.t);
  // The blocks at 600 and 900 put the energy at 600 s in [1.115, 1.12): the switch between 393.7 and 400.9 s.
  assert.is(placed.length, 3);
  assert.ok(placed[1] > 393.7 && placed[1] < 400.9, String(placed[1]));
  assert.equal([placed[0], placed[2]], [0, 600]);
  assert.equal(timeline(log.lines, log.readings).map((e) => e.t), [0, 300, 600], 'without: at the end of the block before');
});

test('the blocks around a load change narrow its moment: a kettle 100 s into a 317 s pass is placed within a few seconds', () => {
  // 100 W, then 2100 W from 100 s after the eighth block on; passes of 317 s; ENERGY printed as the firmware prints it.
  const on = 83 + 7 * 317 + 100;
  const trueKwh = (t: number): number => 1.003 + (100 * Math.min(t, on) + 2100 * Math.max(0, t - on)) / 3.6e6;
  const lines = [formatLogLine(0, 'Device Powered! ')];
  for (let i = 0; i < 20; i++) {
    const t = 83 + i * 317;
    lines.push(...block(t, t < on ? 100 : 2100, Number(formatFloat(Math.fround(trueKwh(t))))));
  }
  const log = parseDebugLog(lines.join('\n'));
  const supplies = timeline(log.lines, log.readings, { measuresDuringPoll: true }).filter((e) => e.kind === 'supply');
  const switched = supplies.find((e) => e.watts === 2100)!.t;
  assert.ok(Math.abs(switched - on) < 3, `placed ${(switched - on).toFixed(1)} s from the change`);
  assert.is(supplies.length, 20);
});

test('a load change the energy cannot place (the same power, a restart between) stays at the end of the block before', () => {
  const same = parseDebugLog([...block(300, 500, 1), ...block(600, 500, 1.2)].join('\n'));
  assert.equal(timeline(same.lines, same.readings, { measuresDuringPoll: true }).map((e) => e.t), [0, 300]);
  // 10 W more over a 300 s pass is 0.0008 kWh: under the ENERGY line's steps, so the log cannot say when.
  const small = parseDebugLog([...block(300, 500, 1), ...block(600, 510, 1.04)].join('\n'));
  assert.equal(timeline(small.lines, small.readings, { measuresDuringPoll: true }).map((e) => e.t), [0, 300]);
  const restart = parseDebugLog([formatLogLine(0, 'Device Powered! '), ...block(300, 100, 1), formatLogLine(400e6, 'Device Powered! '), ...block(600, 2100, 1.12)].join('\n'));
  assert.equal(timeline(restart.lines, restart.readings, { measuresDuringPoll: true }).filter((e) => e.kind === 'supply').map((e) => e.t), [0, 400]);
});

test('a restart at the very microsecond of a readings block\'s end is cut before that block\'s supply', () => {
  const text = ['[0.000000] Device Powered! ', ...BLOCK(new Rng(1)).map((l) => `[5.000000] ${l}`), '[5.000000] Device Powered! ',
    ...BLOCK(new Rng(2)).map((l) => `[9.000000] ${l}`)].join('\n');
  const log = parseDebugLog(text);
  assert.equal(streamed(log).events, wholeLogTimeline(log));
  assert.equal(timeline(log.lines, log.readings).map((e) => e.kind), ['power', 'power', 'supply', 'supply']);
});

test('a top-up answers the POST of its own pass: one whose POST line is missing from the capture sets nothing', () => {
  const text = ['[0.000000] Device Powered! ', '[1.000000] Performing HTTP POST request...', '[1.100000] Server disconnected',
    ...BLOCK(new Rng(1)).map((l) => `[5.000000] ${l}`), '[7.000000] topup:', '[7.000000] 500.00',
    ...BLOCK(new Rng(2)).map((l) => `[9.000000] ${l}`)].join('\n');
  const log = parseDebugLog(text);
  assert.equal(timeline(log.lines, log.readings).filter((e) => e.kind === 'pending'), []);
  const same = parseDebugLog(text.replace('[7.000000] topup:', '[6.000000] Performing HTTP POST request...\n[7.000000] topup:'));
  assert.equal(timeline(same.lines, same.readings).filter((e) => e.kind === 'pending'), [{ t: 6, kind: 'pending', amount: 500, from: 12 }]);
});

test.run();
