// Persistence: EEPROM dumps in and out (`meter.eeprom-file`, `osm run --eeprom / --save-eeprom`), the virgin EEPROM
// (D30), and power cuts in the middle of an AT24C32 page write (the part model tears the bytes in flight).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { createEepromCommand } from '../cli/commands/eeprom.ts';
import { createRunCommand } from '../cli/commands/run.ts';
import type { CliIo } from '../cli/command.ts';
import { loadScenario, parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware, type FirmwareSelection } from '../twin/profiles/profile.ts';
import type { TwinMeter } from '../twin/twin-meter.ts';
import { scratchDir } from './support/scratch.ts';

const dir = scratchDir('osm-eeprom-');

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

async function osm(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const b = io();
  const code = await main(args, { commands: [createRunCommand({ io: b }), createEepromCommand({ io: b })], io: b, env: {} });
  return { code, out: b.out.join(''), err: b.err.join('') };
}

function dump(credit: number, fill = 0xff): Uint8Array {
  const img = new Uint8Array(4096).fill(fill);
  new DataView(img.buffer).setUint32(9, credit, true);
  return img;
}

const BOOT_CHECK = (credit: number | string) => `name: boot
version: 1
meter: { firmware: fixed, mode: sts, clock: "2026-03-01T08:00:00" }
steps:
  - delay: 30s
  - expect: { credit: ${credit} }
`;

test('meter.eeprom-file starts the meter from a 4096-byte dump (a path relative to the scenario)', async () => {
  writeFileSync(join(dir, 'credit-777.bin'), dump(777));
  writeFileSync(join(dir, 'from-dump.yaml'), BOOT_CHECK(777).replace('mode: sts,', 'mode: sts, eeprom-file: credit-777.bin,'));
  const scenario = await loadScenario(join(dir, 'from-dump.yaml'));
  assert.is(scenario.meter.eepromImage?.length, 4096);
  const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 1 });
  const r = await runScenario(scenario, bench);
  await bench.close();
  assert.is(r.exitCode, 0, r.failure?.reason);
});

test('meter.eeprom-file of the wrong size is refused at its line and column, naming the size', () => {
  writeFileSync(join(dir, 'short.bin'), new Uint8Array(100));
  const text = 'name: x\nversion: 1\nmeter:\n  eeprom-file: short.bin\nsteps:\n  - delay: 1s\n';
  assert.throws(() => parseScenario(text, join(dir, 'x.yaml')),
    /x\.yaml:4:16: meter\.eeprom-file: 'short\.bin' is 100 bytes; an AT24C32 dump must be exactly 4096 bytes/);
  assert.throws(() => parseScenario(text.replace('short.bin', 'missing.bin'), join(dir, 'x.yaml')), /cannot read the EEPROM dump 'missing\.bin': no such file/);
  assert.throws(() => parseScenario(text.replace('  eeprom-file', '  eeprom: zero\n  eeprom-file'), join(dir, 'x.yaml')), /give either eeprom or eeprom-file, not both/);
});

test('osm run --save-eeprom writes the EEPROM at the end, and --eeprom starts the next run from it', async () => {
  writeFileSync(join(dir, 'topup.yaml'), `name: top-up
version: 1
meter: { firmware: fixed, mode: sts, credit: 500, clock: "2026-03-01T08:00:00" }
steps:
  - delay: 30s
  - press-keys: "*10913015110000A10001#"
  - expect: { credit: 625 }
  - delay: 3s
`);
  const saved = join(dir, 'after-topup.bin');
  const a = await osm(['run', join(dir, 'topup.yaml'), '--quiet', '--save-eeprom', saved]);
  assert.is(a.code, 0, a.out + a.err);
  const img = new Uint8Array(readFileSync(saved));
  assert.is(img.length, 4096);
  assert.is(new DataView(img.buffer).getUint32(9, true), 625);
  writeFileSync(join(dir, 'check-625.yaml'), BOOT_CHECK(625));
  const b = await osm(['run', join(dir, 'check-625.yaml'), '--quiet', '--eeprom', saved]);
  assert.is(b.code, 0, b.out + b.err);
});

test('osm run --eeprom with a dump of the wrong size exits 2 with one clear line', async () => {
  writeFileSync(join(dir, 'big.bin'), new Uint8Array(8192));
  writeFileSync(join(dir, 'any.yaml'), BOOT_CHECK(0));
  const r = await osm(['run', join(dir, 'any.yaml'), '--eeprom', join(dir, 'big.bin')]);
  assert.is(r.code, 2);
  assert.match(r.err, /--eeprom: '.*big\.bin' is 8192 bytes; an AT24C32 dump must be exactly 4096 bytes/);
  assert.not.match(r.err, /\s+at /);
});

test('osm eeprom make and show: a dump with credit 250, read back at the firmware addresses', async () => {
  const f = join(dir, 'made.bin');
  assert.is((await osm(['eeprom', 'make', f, '--credit', '250'])).code, 0);
  const r = await osm(['eeprom', 'show', f]);
  assert.is(r.code, 0);
  assert.match(r.out, /credit @9 \(uint32\)\s+250\n/);
  assert.match(r.out, /TokenCount @6\s+65535\n/);
  assert.is((await osm(['eeprom', 'show', join(dir, 'short.bin')])).code, 2);
});

test('D30: a virgin EEPROM reads as credit 4294967296 (shown as ovf); fixed, it reads as 0', async () => {
  for (const [firmware, credit] of [['field', 4294967296], ['fixed', 0]] as const) {
    const s = parseScenario(BOOT_CHECK(credit).replace('firmware: fixed', `firmware: ${firmware}`), 'virgin.yaml');
    const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1 });
    const r = await runScenario(s, bench);
    await bench.close();
    assert.is(r.exitCode, 0, `${firmware}: ${r.failure?.reason}`);
  }
});

/**
 * Boot with credit 500, cut the power `offsetMs` after the write cycle of the boot's credit write began (step 14
 * rewrites the credit every boot), restore, and read the credit the next boot finds.
 */
async function cutDuringBootWrite(sel: FirmwareSelection, offsetsMs: number[]): Promise<number[]> {
  const meterCfg = { build: resolveFirmware(sel), credit: 500, clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } };
  // A dry run finds when the credit cell's write cycle ends.
  const dry = createBench({ meter: meterCfg, plant: { grid: { vrms: 240, hz: 50 } }, seed: 1 });
  let commitUs = -1;
  (dry.meter as TwinMeter).eeprom.onWrite = (first, n, t) => { if (commitUs < 0 && first <= 9 && first + n > 9) commitUs = t; };
  await dry.start();
  await dry.runFor(30e6);
  await dry.close();
  assert.ok(commitUs > 0, 'the boot writes the credit');
  const out: number[] = [];
  for (const off of offsetsMs) {
    const bench = createBench({ meter: meterCfg, plant: { grid: { vrms: 240, hz: 50 } }, seed: 7 + off });
    await bench.start();
    await bench.runFor(commitUs - 10_000 + off * 1000);
    bench.power(false);
    await bench.runFor(1e6);
    bench.power(true);
    await bench.runFor(30e6);
    out.push(bench.observe('credit') as number);
    await bench.close();
  }
  return out;
}

const OFFSETS = Array.from({ length: 12 }, (_, i) => i - 1); // from 1 ms before the write cycle to its end

test('a power cut during the boot\'s credit page write tears it: some cut instants leave garbage credit (D30)', async () => {
  const credits = await cutDuringBootWrite({ profile: 'field', mode: 'sts' }, OFFSETS);
  assert.ok(credits.some((c) => c !== 500), `credits after the cuts: ${credits.join(', ')}`);
  assert.ok(credits.some((c) => c > 1e6), 'a torn byte reads as 0xFF: a huge credit');
});

test('D30 fixed: the credit is written through a journal, so a cut anywhere in the write leaves the credit whole', async () => {
  const credits = await cutDuringBootWrite({ profile: 'fixed', mode: 'sts' }, [...OFFSETS, ...OFFSETS.map((o) => o + 21), ...OFFSETS.map((o) => o + 42)]);
  assert.ok(credits.every((c) => c === 500), `credits after the cuts: ${credits.join(', ')}`);
});

test.run();
