// `osm rig check`: a rig for the original firmware checked before a run, step by step, each step a line of the report:
// - wiring: the map against the rig board's own capability report (done when the link opens);
// - every output toggled HIGH and LOW, each level read back from the board (Firmata PIN_STATE_QUERY), with the meter
//   unpowered so no key press or cover change reaches a running firmware; the supply output last;
// - every input read (the relay coils, LEDs and buzzer report LOW from an unpowered meter);
// - the meter powered for a few seconds: the buzzer input goes HIGH (the intro) and the debug port prints the boot
//   line, which proves both ends; then the supply off again;
// - the AFE responder's round trip over its USB port (pings: median and worst).
import type { OriginalRigBench } from './original-bench.ts';
import { INPUT_SIGNALS, type InputSignal } from './original-wiring.ts';
import { BOOT_LINE } from './debug-port.ts';
import { shownWiringPath } from '../wiring.ts';

export interface RigCheckLine { item: string; result: string; ok: boolean }
export interface RigCheckReport { rig: string; lines: RigCheckLine[]; ok: boolean; roundTripUs: { median: number; worst: number; n: number } | null }

const MS = 1000;

function sortedMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

export async function checkOriginalRig(b: OriginalRigBench, opts: { pings?: number; onLine?: (l: RigCheckLine) => void } = {}): Promise<RigCheckReport> {
  const lines: RigCheckLine[] = [];
  const add = (item: string, result: string, ok = true): void => { const l = { item, result, ok }; lines.push(l); opts.onLine?.(l); };
  const link = b.link;
  const meter = b.rigMeter;
  const w = link.wiring;
  const outputs = Object.values(w.pins).filter((p) => p.mode === 'OUTPUT');
  const inputs = Object.values(w.pins).filter((p) => p.mode === 'INPUT');
  add('wiring', `${shownWiringPath(w.file)}: ${outputs.length} outputs, ${inputs.length} inputs on ${w.title}, checked against the board's capability report`);

  // outputs, the supply last (the meter stays unpowered while keys and the cover move)
  const order = [...outputs.filter((p) => p.signal !== 'meter_power'), ...outputs.filter((p) => p.signal === 'meter_power')];
  const bad: string[] = [];
  for (const p of order) {
    for (const level of [1, 0] as const) {
      link.write(p.signal, level);
      let got: number | null = null;
      (link.io as unknown as { queryPinState(pin: number, cb: () => void): void }).queryPinState(p.pin, () => { got = (link.io.pins[p.pin] as unknown as { state: number }).state; });
      const answered = await b.runUntil(() => got !== null, 500 * MS);
      if (!answered || got !== level) { bad.push(`${p.signal} (pin ${p.pin}) ${!answered ? 'no answer' : `reads ${String(got)} after writing ${level}`}`); break; }
    }
  }
  add('outputs', bad.length ? `not following: ${bad.join('; ')}` : `${order.length} toggled HIGH and LOW, each level read back from the board`, bad.length === 0);
  link.write('cover', 1); // closed cover for the boot below

  // inputs of an unpowered meter
  await b.runUntil(() => link.inputsKnown, 500 * MS);
  const levels = Object.keys(INPUT_SIGNALS).map((s) => `${s}=${link.inputs.get(s as InputSignal) ?? '?'}`);
  const high = Object.keys(INPUT_SIGNALS).filter((s) => link.inputs.get(s as InputSignal) !== 0);
  add('inputs', `${levels.join(' ')}${high.length ? ` (expected LOW with the meter unpowered: ${high.join(', ')}; check the buffer's pull-downs)` : ''}`, high.length === 0 && link.inputsKnown);

  // a boot: the buzzer input and the debug port come alive
  meter.powerOn();
  const t0 = b.now();
  let buzzerAt = -1;
  let bootAt = -1;
  await b.runUntil(() => {
    if (buzzerAt < 0 && link.inputs.get('buzzer') === 1) buzzerAt = b.now() - t0;
    if (bootAt < 0 && meter.debug.text.includes(BOOT_LINE)) bootAt = b.now() - t0;
    return buzzerAt >= 0 && bootAt >= 0;
  }, 3000 * MS);
  add('meter boot', buzzerAt >= 0 && bootAt >= 0
    ? `supply on: "${BOOT_LINE.trim()}" on the debug port after ${(bootAt / MS).toFixed(0)} ms, buzzer input HIGH after ${(buzzerAt / MS).toFixed(0)} ms`
    : `supply on, but ${bootAt < 0 ? 'nothing from the debug port (check --debug-port, 115200 baud, the adapter on PA2)' : ''}${bootAt < 0 && buzzerAt < 0 ? ' and ' : ''}${buzzerAt < 0 ? 'the buzzer input stayed LOW (check the wire to PB5)' : ''} within 3 s`,
    buzzerAt >= 0 && bootAt >= 0);
  meter.powerCut();
  await b.runFor(200 * MS);

  // the responder's round trip
  const n = opts.pings ?? 20;
  const before = meter.afe.roundTrips.length;
  for (let i = 0; i < n; i++) {
    const seq = meter.afe.ping();
    let back = false;
    meter.afe.onPong((s) => { if (s === seq) back = true; });
    await b.runUntil(() => back, 200 * MS);
  }
  const rtts = meter.afe.roundTrips.slice(before);
  const roundTripUs = rtts.length ? { median: sortedMedian(rtts), worst: Math.max(...rtts), n: rtts.length } : null;
  add('AFE responder', roundTripUs
    ? `${rtts.length} of ${n} pings answered over its USB port: round trip median ${(roundTripUs.median / MS).toFixed(2)} ms, worst ${(roundTripUs.worst / MS).toFixed(2)} ms (the meter's 10 ms window is served locally, not through this link)`
    : `no answer to ${n} pings`, rtts.length === n);
  return { rig: link.description, lines, ok: lines.every((l) => l.ok), roundTripUs };
}
