import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CurrentTransformer, type CurrentTransformerConfig } from '../frontend/current-transformer.ts';
import { RcFilter } from '../frontend/rc-filter.ts';
import { DEFAULT_BOARD_PROFILE } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { cabs, carg } from '../frontend/impedance.ts';
import { CtWaveform } from './ct-waveform.ts';
import { thdOf, toneAt } from './tone-analysis.ts';

const FS = 8000;
const FILTER = RcFilter.differential(DEFAULT_BOARD_PROFILE.filter);

/** Runs `ct` on a current `amps(t)` for `seconds`; returns the last second of pin and burden samples. */
function drive(ct: CtWaveform, amps: (t: number) => number, seconds = 4): { pin: Float64Array; burden: Float64Array; first: number } {
  const n = FS;
  const x = new Float64Array(n);
  const pin = new Float64Array(n);
  const burden = new Float64Array(n);
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < n; k++) x[k] = amps((k + s * n) / FS);
    ct.process(x, pin, n, burden);
  }
  return { pin, burden, first: (seconds - 1) * n };
}

const sine = (rms: number, hz = 50) => (t: number) => Math.SQRT2 * rms * Math.cos(2 * Math.PI * hz * t);

test('gives the phasor level\'s I2P-I2N at 50 Hz within 1e-5 in gain and 0.001 deg (same parts, below the knee)', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const { pin, first } = drive(new CtWaveform(fe.ct, fe.filterN, FS), sine(5));
  const t = toneAt(pin, 50, FS, first);
  const p = fe.currentPinN(50);
  assert.ok(Math.abs(t.rms / (5 * cabs(p)) - 1) < 1e-5, `${t.rms} vs ${5 * cabs(p)}`);
  assert.ok(Math.abs(((t.phaseRad - carg(p)) * 180) / Math.PI) < 1e-3);
});

test('puts 5 A at 24.0 mV (+-0.5 %) on the pins with a 1000:1 CT into 4.8 ohm', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const { pin, first } = drive(new CtWaveform(fe.ct, fe.filterN, FS), sine(5));
  assert.ok(Math.abs(toneAt(pin, 50, FS, first).rms / 0.024 - 1) < 0.005);
});

test('lags the burden voltage by the N filter, 0.594 deg (+-0.01) at 50 Hz, measured on samples', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const { pin, burden, first } = drive(new CtWaveform(fe.ct, fe.filterN, FS), sine(5));
  const lag = ((toneAt(burden, 50, FS, first).phaseRad - toneAt(pin, 50, FS, first).phaseRad) * 180) / Math.PI;
  assert.ok(Math.abs(lag - 0.594) < 0.01, `lag ${lag}`);
});

test('has a phase error (lead of the secondary) that grows with the burden, measured on samples', () => {
  const lead = [4.8, 10, 30, 100].map((burdenOhms) => {
    const ct = new CurrentTransformer({ burdenOhms });
    const { burden, first } = drive(new CtWaveform(ct, FILTER, FS), sine(5));
    return (toneAt(burden, 50, FS, first).phaseRad * 180) / Math.PI;
  });
  for (let k = 1; k < lead.length; k++) assert.ok(lead[k] > lead[k - 1] && lead[0] > 0, `leads ${lead.join(', ')}`);
});

test('stays undistorted below its knee and distorts the secondary above it (saturation onset)', () => {
  const ct = new CurrentTransformer();
  const knee = ct.kneePrimaryAmps(50, FILTER.inputAdmittance(50));
  const thd = [0.5, 2].map((m) => {
    const { pin, first } = drive(new CtWaveform(ct, FILTER, FS), sine(m * knee));
    return thdOf(pin, 50, FS, 21, first);
  });
  assert.ok(thd[0] < 1e-4, `THD below the knee ${thd[0]}`);
  assert.ok(thd[1] > 0.05, `THD at twice the knee ${thd[1]}`);
});

test('reaches its knee at a lower current with a 30 ohm burden, and then reads low', () => {
  const cfg: Partial<CurrentTransformerConfig> = { ratio: 2000, burdenOhms: 30 };
  const ct = new CurrentTransformer(cfg);
  const knee = ct.kneePrimaryAmps(50, FILTER.inputAdmittance(50));
  assert.ok(knee < new CurrentTransformer().kneePrimaryAmps(50, FILTER.inputAdmittance(50)));
  const { pin, first } = drive(new CtWaveform(ct, FILTER, FS), sine(3 * knee));
  const linear = 3 * knee * cabs(ct.transfer(50, FILTER.inputAdmittance(50))) * cabs(FILTER.transfer(50));
  assert.ok(toneAt(pin, 50, FS, first).rms < 0.9 * linear);
});

test('is walked into saturation by DC in the primary: a half-wave current reads low on the secondary', () => {
  const ct = new CurrentTransformer();
  // 20 A rms full-wave halved by a diode: 9 A of DC, far beyond the flux the core holds with Lm = 30 H.
  const halfWave = (t: number) => Math.max(0, Math.SQRT2 * 20 * Math.cos(2 * Math.PI * 50 * t));
  const model = new CtWaveform(ct, FILTER, FS);
  const { pin, first } = drive(model, halfWave, 6);
  const i1 = (Math.SQRT2 * 20) / (2 * Math.SQRT2); // the fundamental of the half wave, rms
  const linear = i1 * cabs(new FrontEnd(DEFAULT_BOARD_PROFILE).currentPinN(50));
  const got = toneAt(pin, 50, FS, first).rms;
  assert.ok(model.flux > model.kneeFlux, `flux ${model.flux} Wb-t, knee ${model.kneeFlux}`);
  // On the saturated slope (Lm / 500 = 60 mH, 19 ohm at 50 Hz) beside 12.8 ohm of winding and burden: about 83 %.
  assert.ok(got < 0.9 * linear, `fundamental ${got} V vs ${linear} V without saturation`);
});

test('inverts the secondary when fitted the other way round on J10', () => {
  const a = drive(new CtWaveform(new CurrentTransformer(), FILTER, FS), sine(5));
  const b = drive(new CtWaveform(new CurrentTransformer({ reversed: true }), FILTER, FS), sine(5));
  for (let k = 0; k < 100; k++) assert.ok(Math.abs(a.pin[k] + b.pin[k]) < 1e-12);
});

test('rejects a saturated inductance ratio above 1 with a message naming it', () => {
  assert.throws(() => new CtWaveform(new CurrentTransformer(), FILTER, FS, { saturatedInductanceRatio: 2 }), /saturatedInductanceRatio/);
});
// The example curve of models/frontend/netlists/osm-board-ct-curve.yaml.
const EXAMPLE_CT = {
  ...DEFAULT_BOARD_PROFILE.ct,
  excitation: {
    hz: 50,
    lossAngleDeg: 20.66,
    points: [[1e-3, 0.4e-6], [3e-3, 0.9e-6], [10e-3, 2.2e-6], [30e-3, 4.9e-6], [0.1, 11e-6], [0.3, 25e-6], [1, 65e-6], [3, 220e-6]] as Array<[number, number]>,
  },
};

test('with an excitation curve, settles on the phasor level\'s operating point (the branch at the cycle\'s flux amplitude)', () => {
  const ct = new CurrentTransformer(curveOnly());
  for (const amps of [0.25, 5]) {
    const w = new CtWaveform(ct, FILTER, FS);
    drive(w, sine(amps), 2);
    const op = ct.operatingPoint(amps, 50, FILTER.inputAdmittance(50));
    assert.ok(Math.abs(w.magnetisingBranch.henries / op.magnetisingHenries - 1) < 1e-3, `${amps} A: ${w.magnetisingBranch.henries} H vs ${op.magnetisingHenries} H`);
  }
});

test('with an excitation curve, gives the phasor level\'s I2P-I2N at its operating point at 50 Hz, within 1e-5 and 0.001 deg', () => {
  const fe = new FrontEnd({ ...DEFAULT_BOARD_PROFILE, ct: { ...DEFAULT_BOARD_PROFILE.ct, ...curveOnly() } });
  for (const amps of [0.25, 0.5, 5, 80]) {
    const { pin, first } = drive(new CtWaveform(fe.ct, fe.filterN, FS), sine(amps), 3);
    const t = toneAt(pin, 50, FS, first);
    const p = fe.currentPinN(50, { amps, hz: 50 });
    assert.ok(Math.abs(t.rms / (amps * cabs(p)) - 1) < 1e-5, `${amps} A: ${t.rms} vs ${amps * cabs(p)}`);
    assert.ok(Math.abs(((t.phaseRad - carg(p)) * 180) / Math.PI) < 1e-3);
  }
});

test('with an excitation curve, keeps its initial branch with no current, and returns to it on reset', () => {
  const ct = new CurrentTransformer(curveOnly());
  const w = new CtWaveform(ct, FILTER, FS);
  drive(w, () => 0, 1);
  assert.is(w.magnetisingBranch.henries, ct.config.magnetisingHenries);
  drive(w, sine(5), 1);
  assert.ok(w.magnetisingBranch.henries > 2 * ct.config.magnetisingHenries);
  w.reset();
  assert.is(w.magnetisingBranch.henries, ct.config.magnetisingHenries);
});

/** The example curve with the branch it gives below its first point. */
function curveOnly(): Partial<CurrentTransformerConfig> {
  const ct = new CurrentTransformer({ excitation: EXAMPLE_CT.excitation });
  return { excitation: EXAMPLE_CT.excitation, magnetisingHenries: ct.config.magnetisingHenries, coreLossOhms: ct.config.coreLossOhms };
}

test.run();
