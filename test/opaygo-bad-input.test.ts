// Bad input never crashes the twin: malformed tokens, over-long key sequences, an EEPROM image of the wrong size and
// an unknown knob name each give a clear message (or, typed on the keypad, the firmware's own refusal).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.ts';
import { createRunCommand } from '../cli/commands/run.ts';
import type { CliIo } from '../cli/command.ts';
import { parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { TraceBus } from '../twin/kernel/trace.ts';
import { Rng } from '../twin/kernel/rng.ts';
import { TwinMeter } from '../twin/twin-meter.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { resolveOpaygoConfig } from '../twin/firmware/opaygo/config.ts';
import { GetDataFromToken } from '../twin/firmware/opaygo/decoder.ts';
import { opaygoUnit, tok } from './support/opaygo.ts';
import { decodeToken, FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE } from '../twin/tokens/opaygo.ts';

async function scenario(text: string): Promise<{ exitCode: number; reason?: string }> {
  const s = parseScenario(text, 'bad-input.yaml');
  const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1 });
  try {
    const r = await runScenario(s, bench);
    return { exitCode: r.exitCode, reason: r.failure?.reason };
  } finally {
    await bench.close();
  }
}

const FIXED_TIME = 'meter: { firmware: fixed, mode: opaygo-time, clock: "2026-03-01T08:00:00" }';

test('a malformed OpenPAYGO entry (letters among the digits) is not decoded, and the next good token still works', async () => {
  const good = tok(2, 3);
  const r = await scenario(`name: x\nversion: 1\n${FIXED_TIME}\nsteps:
  - delay: 30s
  - press-keys: "*12AB34CD5"
  - delay: 2s
  - expect: { opaygo.entries: 0 }
  - press-keys: "*${good}"
  - wait-until: { opaygo.result: 2, timeout: 5s }
`);
  assert.is(r.exitCode, 0, r.reason);
});

test('an over-long OpenPAYGO entry: the first nine digits are the token, the rest are ignored until the next *', async () => {
  const good = tok(2, 3);
  const r = await scenario(`name: x\nversion: 1\n${FIXED_TIME}\nsteps:
  - delay: 30s
  - press-keys: "*${good}${'7'.repeat(40)}"
  - delay: 3s
  - expect: { opaygo.entries: 1, opaygo.result: 2, opaygo.days-left: { approx: 2, tol: 0.01 } }
`);
  assert.is(r.exitCode, 0, r.reason);
});

test('an over-long STS entry on fixed: only 20 characters are taken, the rest are ignored (D35 fixed)', async () => {
  const r = await scenario(`name: x\nversion: 1\nmeter: { firmware: fixed, mode: sts, credit: 100, clock: "2026-03-01T08:00:00" }\nsteps:
  - delay: 30s
  - press-keys: "*10913015110000A10001999999999999#"
  - wait-until: { lcd.line0: "TOKEN ACCEPTED", timeout: 3s }
  - expect: { credit: 225 }
`);
  assert.is(r.exitCode, 0, r.reason);
});

test('a malformed token given to the firmware decoder or the token library is refused with a clear message', () => {
  const u = opaygoUnit();
  const cfg = resolveOpaygoConfig();
  assert.throws(() => GetDataFromToken(u.fw, 12.5, cfg), /the token must be a whole number ≥ 0, got 12\.5/);
  assert.throws(() => GetDataFromToken(u.fw, -1, cfg), /the token must be a whole number ≥ 0/);
  const opts = { key: FIRMWARE_SECRET_KEY, startingCode: FIRMWARE_STARTING_CODE };
  assert.throws(() => decodeToken('12345', { maxCount: 1, usedCounts: 0 }, opts), /must have 9 digits/);
  assert.throws(() => decodeToken('12345678x', { maxCount: 1, usedCounts: 0 }, opts), /only the digits 0-9/);
});

test('an EEPROM image of the wrong size is refused by the meter with a message giving both sizes', () => {
  const clock = new VirtualClock();
  const make = (bytes: number) => new TwinMeter(clock, new TraceBus(() => clock.now()), new Rng(1), {
    firmware: resolveFirmware({ profile: 'field' }), eeprom: new Uint8Array(bytes), rtc: 'running', cover: 'closed',
  });
  assert.throws(() => make(4095), /an AT24C32 image must be exactly 4096 bytes, got 4095/);
  assert.not.throws(() => make(4096));
});

test('an unknown knob name is refused, by the profile resolver and by osm run (exit 2, one line, no stack)', async () => {
  assert.throws(() => resolveFirmware({ profile: 'fixed', defects: ['D49'] }), /unknown defect knob 'D49' \(expected D1\.\.D48\)/);
  assert.throws(() => resolveFirmware({ profile: 'field', fix: ['d11'] }), /unknown defect knob 'd11'/);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
  const code = await main(['run', 'scenarios/fixtures/bad/unknown-knob.yaml'], { commands: [createRunCommand({ io })], io, env: {} });
  assert.is(code, 2);
  assert.match(err.join(''), /unknown-knob\.yaml:4:\d+: unknown defect knob 'D49' \(expected D1\.\.D48\)\n$/);
  assert.not.match(err.join(''), /\s+at /);
});

test.run();
