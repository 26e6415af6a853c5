import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Complex } from 'complex.js';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { CircuitFrontEnd } from '../frontend/circuit-front-end.ts';
import { builtInNetlist, parseNetlist } from '../frontend/circuit/netlist.ts';
import { readFileSync } from 'node:fs';
import { boardForNetlist } from '../frontend/circuit/profile.ts';
import { CurrentTransformer } from '../frontend/current-transformer.ts';
import { RcFilter } from '../frontend/rc-filter.ts';
import { CtWaveform } from './ct-waveform.ts';
import { ctDiscreteResponse } from './ct-discrete-response.ts';
import { FrontEndWaveform } from './front-end-waveform.ts';
import { sampledTransfers } from './sampled-transfer.ts';
import { thdOf, toneAt } from './tone-analysis.ts';

const FS = 8000;
const FREQS = [50, 150, 350, 950, 1550, 2050, 2500];

/** Gain ratio - 1 and phase difference (degrees) of a against b. */
function diff(a: Complex, b: Complex): { gain: number; deg: number } {
  const q = a.div(b);
  return { gain: q.abs() - 1, deg: (q.arg() * 180) / Math.PI };
}

test('the voltage pin samples carry the circuit\'s VP-VN within 0.1 % and 0.05 deg from 50 Hz to 2.5 kHz', () => {
  const circuit = new CircuitFrontEnd(builtInNetlist());
  for (const s of sampledTransfers(DEFAULT_BOARD_PROFILE, FREQS)) {
    const e = diff(s.v, circuit.voltagePin(s.hz));
    assert.ok(Math.abs(e.gain) < 1e-3 && Math.abs(e.deg) < 0.05, `${s.hz} Hz: ${JSON.stringify(e)}`);
  }
});

test('the N current pin samples carry the circuit\'s I2P-I2N within 0.1 % and 0.05 deg from 50 Hz to 2.5 kHz', () => {
  const circuit = new CircuitFrontEnd(builtInNetlist());
  for (const s of sampledTransfers(DEFAULT_BOARD_PROFILE, FREQS)) {
    const e = diff(s.iN, circuit.currentPinN(s.hz));
    assert.ok(Math.abs(e.gain) < 1e-3 && Math.abs(e.deg) < 0.05, `${s.hz} Hz: ${JSON.stringify(e)}`);
  }
});

test('a fitted shunt\'s pin samples carry the phasor level\'s I1P-I1N within 0.1 % and 0.05 deg to 2.5 kHz', () => {
  const p = applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': true });
  const fe = new FrontEnd(p);
  for (const s of sampledTransfers(p, FREQS)) {
    const e = diff(s.iL!, fe.currentPinL(s.hz));
    assert.ok(Math.abs(e.gain) < 1e-3 && Math.abs(e.deg) < 0.05, `${s.hz} Hz: ${JSON.stringify(e)}`);
  }
});

test('a changed board (C38 100 nF, R12 150k) is carried as its own transfers', () => {
  const p = applyOverrides(DEFAULT_BOARD_PROFILE, { 'divider.cFilterFarads': 100e-9, 'divider.rTopOhms': 650e3, 'filter.cPFarads': 100e-9 });
  const fe = new FrontEnd(p);
  for (const s of sampledTransfers(p, [50, 950, 2500])) {
    const ev = diff(s.v, fe.voltagePin(s.hz)), ei = diff(s.iN, fe.currentPinN(s.hz));
    assert.ok(Math.abs(ev.gain) < 1e-3 && Math.abs(ev.deg) < 0.05, `V ${s.hz} Hz: ${JSON.stringify(ev)}`);
    assert.ok(Math.abs(ei.gain) < 1e-3 && Math.abs(ei.deg) < 0.05, `IN ${s.hz} Hz: ${JSON.stringify(ei)}`);
  }
});

test('a board with no profile (a capacitor across R43) is carried as its circuit\'s transfers', () => {
  const n = builtInNetlist();
  const c99 = { ...n, parts: [...n.parts, { ref: 'C99', kind: 'C' as const, value: '4.7n', nets: ['DIV5', 'VP'] as [string, string] }] };
  const p = boardForNetlist(c99);
  assert.ok(p.circuit, 'solved as a circuit');
  const circuit = new CircuitFrontEnd(c99);
  for (const s of sampledTransfers(p, [50, 350, 950, 2500])) {
    const ev = diff(s.v, circuit.voltagePin(s.hz)), ei = diff(s.iN, circuit.currentPinN(s.hz));
    assert.ok(Math.abs(ev.gain) < 1e-3 && Math.abs(ev.deg) < 0.05, `V ${s.hz} Hz: ${JSON.stringify(ev)}`);
    assert.ok(Math.abs(ei.gain) < 1e-3 && Math.abs(ei.deg) < 0.05, `IN ${s.hz} Hz: ${JSON.stringify(ei)}`);
  }
});

test('every channel lags the line by the same latency, and the designs report their own error', () => {
  const fw = new FrontEndWaveform(applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': true }), FS);
  assert.is(fw.latencySamples, 6);
  for (const m of [fw.match.voltage, fw.match.current, fw.match.shunt!]) {
    assert.is(m.latencySamples, fw.latencySamples);
    assert.ok(m.gainError < 1e-3 && m.phaseErrorDeg < 0.05);
  }
});

test('the CT network\'s discrete response is what its samples carry below the knee', () => {
  const ct = new CurrentTransformer(DEFAULT_BOARD_PROFILE.ct);
  const filter = RcFilter.differential(DEFAULT_BOARD_PROFILE.filter);
  for (const hz of [50, 1000, 2500]) {
    const w = new CtWaveform(ct, filter, FS);
    const n = FS, x = new Float64Array(n), y = new Float64Array(n);
    for (let s = 0; s < 4; s++) {
      for (let k = 0; k < n; k++) x[k] = Math.SQRT2 * Math.cos((2 * Math.PI * hz * (k + s * n)) / FS);
      w.process(x, y, n);
    }
    const t = toneAt(y, hz, FS, 3 * n), want = ctDiscreteResponse(ct.config, filter.config, hz, FS);
    const e = diff(new Complex({ abs: t.rms, arg: t.phaseRad }), want);
    assert.ok(Math.abs(e.gain) < 1e-5 && Math.abs(e.deg) < 1e-3, `${hz} Hz: ${JSON.stringify(e)}`);
  }
});

test('the CT still saturates: 600 A distorts the N pin, 5 A does not', () => {
  const thd = (amps: number): number => {
    const fw = new FrontEndWaveform(DEFAULT_BOARD_PROFILE, FS);
    const n = FS, v = new Float64Array(n), i = new Float64Array(n), vp = new Float64Array(n), ip = new Float64Array(n), lp = new Float64Array(0);
    for (let s = 0; s < 2; s++) {
      for (let k = 0; k < n; k++) { const c = Math.cos((2 * Math.PI * 50 * (k + s * n)) / FS); v[k] = 339 * c; i[k] = Math.SQRT2 * amps * c; }
      fw.process(v, i, vp, ip, lp, n);
    }
    return thdOf(ip, 50, FS, 21, n);
  };
  assert.ok(thd(5) < 1e-3, `5 A: ${thd(5)}`);
  assert.ok(thd(600) > 0.02, `600 A: ${thd(600)}`);
});

test('with the example CT excitation curve, the N pin carries the circuit at the CT\'s operating point at 50 Hz within 1e-6 and 2e-4 deg', () => {
  const url = new URL('../frontend/netlists/osm-board-ct-curve.yaml', import.meta.url);
  const profile = boardForNetlist(parseNetlist(readFileSync(url, 'utf8'), 'osm-board-ct-curve.yaml'));
  for (const amps of [0.25, 5, 80]) {
    const fw = new FrontEndWaveform(profile, FS);
    const n = FS, v = new Float64Array(n), i = new Float64Array(n), vp = new Float64Array(n), ip = new Float64Array(n), lp = new Float64Array(0);
    for (let s = 0; s < 3; s++) {
      for (let k = 0; k < n; k++) { const c = Math.cos((2 * Math.PI * 50 * (k + s * n)) / FS); v[k] = 339 * c; i[k] = Math.SQRT2 * amps * c; }
      fw.process(v, i, vp, ip, lp, n);
    }
    const t = toneAt(ip, 50, FS, 0);
    const got = new Complex({ abs: t.rms / amps, arg: t.phaseRad + (2 * Math.PI * 50 * fw.latencySamples) / FS });
    const e = diff(got, fw.phasor.currentPinN(50, { amps, hz: 50 }));
    assert.ok(Math.abs(e.gain) < 1e-6 && Math.abs(e.deg) < 2e-4, `${amps} A: ${JSON.stringify(e)}`);
    // The curve matters at this precision: the initial permeability's transfer is 5e-4 to 2e-3 away.
    assert.ok(Math.abs(diff(got, fw.phasor.currentPinN(50)).gain) > 1e-4);
  }
});

test.run();
