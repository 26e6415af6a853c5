// The control-message schema and the binary waveform frame.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWaveFrame, encodeWaveFrame, parseControl, validateControl, WAVE_HEADER_BYTES } from './protocol.ts';

test('valid control messages of every type pass the validator', () => {
  const ok = [
    { type: 'ping' }, { type: 'select', meter: 'meter-2' }, { type: 'keys', keys: '*0123456789ABCD#' },
    { type: 'load', load: 'kettle', on: true }, { type: 'grid', event: 'freq-step' }, { type: 'tamper', open: false },
    { type: 'power', on: true }, { type: 'speed', speed: 'max' }, { type: 'speed', speed: 60, id: 3 }, { type: 'pause', paused: true },
    { type: 'scenario', action: 'run', name: 'opaygo/g04-reuse' }, { type: 'scenario', action: 'stop' },
    { type: 'firmware', profile: 'fixed', defects: ['D26'] }, { type: 'firmware', profile: 'field', fix: ['D11', 'D6'] },
    { type: 'reset', meter: 'meter-1' }, { type: 'add-meter', id: 'a1' }, { type: 'view', view: 'fleet' }, { type: 'view', view: 'meter', id: 3 },
    { type: 'network', coverage: false }, { type: 'network', csq: 31, latencyMs: 900, attachFailures: 3, attachFailureRate: 0.25 },
    { type: 'network', drop: true }, { type: 'network', backend: 'down', broker: 'up', forMs: 60000 },
    { type: 'network', fault: 'lose-success', faultCount: 1, meter: 'meter-2' }, { type: 'network', registrationMs: 0 },
    { type: 'topup', amount: 200 }, { type: 'topup', amount: 0.5, meter: 'meter-1', id: 9 },
  ];
  for (const m of ok) assert.ok(validateControl(m).ok, JSON.stringify(m));
});

test('an unknown field, a missing field or a wrong value is refused with a reason naming it', () => {
  const bad: [unknown, RegExp][] = [
    [{ type: 'keys', keys: '12', extra: 1 }, /no field "extra"/],
    [{ type: 'load', load: 'kettle' }, /needs "on"/],
    [{ type: 'speed', speed: 0 }, /speed/],
    [{ type: 'keys', keys: '12E' }, /'E' is not a keypad key/],
    [{ type: 'firmware', profile: 'field', fix: ['D49'] }, /D49/],
    [{ type: 'scenario', action: 'run' }, /needs "name"/],
    [{ type: 'scenario', action: 'run', name: '../secret' }, /name/],
    [{ type: 'launch' }, /unknown type "launch"/],
    [[1, 2], /JSON object/],
    [{ type: 'ping', id: 1.5 }, /"id"/],
    [{ type: 'network' }, /needs at least one setting/],
    [{ type: 'network', meter: 'meter-1' }, /needs at least one setting/],
    [{ type: 'network', csq: 32 }, /"network.csq" must be a whole number 0..31/],
    [{ type: 'network', csq: 5.5 }, /csq/],
    [{ type: 'network', coverage: 'off' }, /coverage/],
    [{ type: 'network', drop: false }, /drop/],
    [{ type: 'network', latencyMs: -1 }, /latencyMs/],
    [{ type: 'network', attachFailureRate: 1.5 }, /attachFailureRate/],
    [{ type: 'network', fault: 'fire' }, /fault/],
    [{ type: 'network', faultCount: 2 }, /goes with "fault"/],
    [{ type: 'network', drop: true, forMs: 1000 }, /needs a setting to revert/],
    [{ type: 'network', ssid: 'x' }, /no field "ssid"/],
    [{ type: 'topup' }, /needs "amount"/],
    [{ type: 'view', view: 'grid' }, /"view.view" must be one of fleet, meter/],
    [{ type: 'view', view: 'fleet', meter: 'meter-1' }, /"view" has no field "meter"/],
    [{ type: 'topup', amount: 0 }, /amount/],
    [{ type: 'topup', amount: 1e6 }, /amount/],
    [{ type: 'topup', amount: '200' }, /amount/],
  ];
  for (const [m, why] of bad) {
    const v = validateControl(m);
    assert.not.ok(v.ok, JSON.stringify(m));
    if (!v.ok) assert.match(v.error, why);
  }
});

test('the id of a refused message is echoed when it is itself valid', () => {
  const v = parseControl('{"type":"keys","keys":"x","id":42}');
  assert.equal(v, { ok: false, id: 42, error: `"keys.keys" 'x' is not a keypad key (0-9 A-D * #)` });
  const w = parseControl('{"type":"grid","event":"sag",');
  assert.not.ok(w.ok);
});

test('a prototype key in a message is an unknown field, not a prototype', () => {
  const v = parseControl('{"type":"keys","keys":"1","__proto__":{"polluted":true}}');
  assert.not.ok(v.ok);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('a waveform frame round-trips with its virtual time, rate, epoch and samples', () => {
  const volts = Float32Array.from([0, 100.5, -339.4]);
  const amps = Float32Array.from([0, 1.25, -8.5]);
  const buf = encodeWaveFrame({ meterIndex: 2, flags: 1, t0Us: 123_456_789_012, sampleRateHz: 8000, epoch: 3, volts, amps });
  assert.is(buf.length, WAVE_HEADER_BYTES + 3 * 8);
  const f = decodeWaveFrame(buf);
  assert.equal([f.meterIndex, f.flags, f.t0Us, f.sampleRateHz, f.epoch], [2, 1, 123_456_789_012, 8000, 3]);
  assert.equal(Array.from(f.volts), Array.from(volts));
  assert.equal(Array.from(f.amps), Array.from(amps));
});

test.run();
