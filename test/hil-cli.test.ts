// `osm board`, `osm diff` and `osm run --board` from the command line (in-process through main(), and the real
// serial path through a pseudo-terminal when Debian socat is installed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import type { CliIo } from '../cli/command.ts';
import { parseTolerances } from '../cli/commands/diff.ts';
import { createRunCommand } from '../cli/commands/run.ts';
import { socatAvailable, startPtyEmulator } from '../hil-rig/pty-emulator.ts';
import { RigConnection } from '../hil-rig/rig/connection.ts';
import { DEFAULT_WIRING } from '../hil-rig/wiring.ts';
import { createRigBench, parseBoardChoice } from '../hil-rig/rig-bench.ts';
import { loadScenario } from '../scenarios/loader.ts';
import { scratchDir } from './support/scratch.ts';

const dir = scratchDir('osm-hil-');

async function osm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
  const { createBoardCommand } = await import('../cli/commands/board.ts');
  const { createDiffCommand } = await import('../cli/commands/diff.ts');
  const code = await main(args, { io, commands: [createBoardCommand(io), createDiffCommand(io)], env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('osm board wiring --json prints the resolved Mega 2560 map', async () => {
  const r = await osm('board', 'wiring', '--json');
  assert.is(r.code, 0);
  const j = JSON.parse(r.out) as { board: string; afe: { serial: string; rx: number; tx: number }; signals: { signal: string; pin: number }[] };
  assert.is(j.board, 'mega2560');
  assert.equal(j.afe.serial, 'HW_SERIAL1');
  assert.is(j.signals.find((s) => s.signal === 'relaya')!.pin, 22);
});

test('osm board wiring on a bad map is one line naming file, line and pin, exit 2', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(DEFAULT_WIRING, 'utf8').replace('green_led:     { pin: 26', 'green_led:     { pin: 25'));
  const r = await osm('board', 'wiring', '--wiring', bad);
  assert.is(r.code, 2);
  assert.is(r.err.trim().split('\n').length, 1);
  assert.match(r.err, new RegExp(`${bad}:10: pin 25 is wired twice: to red_led and to green_led`));
});

test('osm board check on the emulated board answers every part and measures the AFE round trip', async () => {
  const r = await osm('board', 'check', '--frames', '5', '--json');
  assert.is(r.code, 0, r.out + r.err);
  const j = JSON.parse(r.out) as { lines: { item: string; ok: boolean }[]; afe: { frames: number; replies: number; medianMs: number; p99Ms: number; urms: number } };
  assert.ok(j.lines.every((l) => l.ok));
  assert.is(j.afe.replies, 5);
  assert.ok(j.afe.medianMs > 6.3 && j.afe.p99Ms >= j.afe.medianMs, `${j.afe.medianMs} / ${j.afe.p99Ms}`);
  assert.ok(Math.abs(j.afe.urms - 230) < 0.5);
});

test('osm board check refuses parts the wiring map lacks, naming them', async () => {
  const partial = join(dir, 'no-lcd.yaml');
  writeFileSync(partial, readFileSync(DEFAULT_WIRING, 'utf8').replace(/ {2}lcd_.*\n/g, ''));
  const r = await osm('board', 'check', '--wiring', partial, '--parts', 'relay,lcd');
  assert.is(r.code, 2);
  assert.match(r.err, /lacks signals for the chosen parts: lcd \(lcd_rs, lcd_en, lcd_d4, lcd_d5, lcd_d6, lcd_d7\)/);
});

test('diff tolerances parse as name=duration', () => {
  assert.equal(parseTolerances('relay=50ms, lcd=1s'), { relay: 50_000, lcd: 1_000_000 });
  assert.throws(() => parseTolerances('relay:50'), /name=duration/);
});

test('osm diff of a board-observable scenario: same verdicts, the timing differences quantified', async () => {
  const r = await osm('diff', 'scenarios/library/tamper-outputs.yaml', '--a', 'twin', '--b', 'emulated', '--tolerance', 'relay=1s,led=1s,led.red=1s,led.green=1s,serial=1s,buzzer=1s', '--json');
  const j = JSON.parse(r.out) as { sameVerdicts: boolean; observables: { observable: string; firstMismatch: number; medianDtUs: number }[] };
  assert.ok(j.sameVerdicts);
  const relay = j.observables.find((o) => o.observable === 'relay')!;
  assert.is(relay.firstMismatch, -1);
  assert.ok(relay.medianDtUs > 0, 'the rig runs behind the twin by the AFE waits it adds');
});

test('osm diff twin against a board: the default tolerances are at least 250 ms (the twin runs ahead, the board waits on its link)', async () => {
  const r = await osm('diff', 'scenarios/library/tamper-outputs.yaml', '--a', 'twin', '--b', 'emulated', '--json');
  const j = JSON.parse(r.out) as { observables: { observable: string; toleranceUs: number; ok: boolean; medianDtUs: number }[] };
  const o = (name: string) => j.observables.find((x) => x.observable === name)!;
  assert.is(o('relay').toleranceUs, 250_000);
  assert.is(o('lcd').toleranceUs, 1_000_000, 'a wider default stays');
  assert.ok(o('relay').medianDtUs > 100_000 && o('relay').ok, 'the relay is behind by more than the twin-to-twin 100 ms, within the board default');
});

test('osm diff twin against a board: the tamper alarm\'s beeps that the board, 220 ms behind, had not made when the cover closed are not a difference', async () => {
  const r = await osm('diff', 'scenarios/library/tamper-outputs.yaml', '--a', 'twin', '--b', 'emulated');
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /buzzer .* same; \d+ more on twin at the end, within the tolerance .* ok/);
  assert.match(r.out, /SAME within tolerances/);
});

// needs Debian socat (installed by .ci/run); skipped when it is absent
(socatAvailable() ? test : test.skip)('the emulated board on a pseudo-terminal is reached through serialport', async () => {
  const link = join(dir, 'ttyRIG');
  const emu = await startPtyEmulator(link, DEFAULT_WIRING);
  let rig: RigConnection | null = null;
  try {
    rig = await RigConnection.openSerial({ path: link, wiring: DEFAULT_WIRING, parts: ['relay'] });
    assert.is(rig.io.firmware.name, 'StandardFirmataPlus.ino');
    rig.io.digitalWrite(rig.wiring.pins.relaya.pin, 1);
    const t = rig.time.now();
    await rig.waitFor(() => emu.parts.relay.isClosed || rig!.time.now() - t > 3_000_000, 4_000_000);
    assert.ok(emu.parts.relay.isClosed, 'the SET coil pulse reached the relay model through the pty');
  } finally {
    await rig?.close();
    await emu.stop();
  }
});

(socatAvailable() ? test : test.skip)('in real time through a pty the twin draws its intro on the rig LCD, and a silent board aborts the run', async () => {
  const link = join(dir, 'ttyRIG2');
  const emu = await startPtyEmulator(link, DEFAULT_WIRING);
  try {
    const sc = await loadScenario('scenarios/library/sts-tokens.yaml');
    const b = await createRigBench({ meter: sc.meter, plant: { grid: { vrms: 230, hz: 50 } }, seed: 1 }, parseBoardChoice({ board: 'johnny-five', port: link, parts: 'lcd,buzzer,relay' })!);
    try {
      await b.start();
      await b.runFor(1_800_000);
      // the emulated board works through the bytes it was sent on its own wall time: on a loaded machine the last of
      // them may still be on their way when the host's run ends (a generous guard of 10 s: they must land)
      const shown = (): boolean => emu.parts.lcd.visibleLines()[0].trim() === 'DEVELOPED BY';
      for (let i = 0; i < 1000 && !shown(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(shown(), `the rig LCD shows ${JSON.stringify(emu.parts.lcd.visibleLines())}`);
      emu.board.freeze();
      const err = await b.runFor(10_000_000).then(() => null, (e: unknown) => e);
      assert.match(String(err), /stopped answering.*last known relay state/);
    } finally {
      await b.close();
    }
  } finally {
    await emu.stop();
  }
});

(socatAvailable() ? test : test.skip)('on a board behind a pty with the buzzer and LEDs on the rig, observing them reads the level the rig\'s outputs were set to', async () => {
  const link = join(dir, 'ttyRIG3');
  const emu = await startPtyEmulator(link, DEFAULT_WIRING);
  try {
    const sc = await loadScenario('scenarios/library/boot-screens.yaml');
    const b = await createRigBench({ meter: sc.meter, plant: { grid: { vrms: 230, hz: 50 } }, seed: 1 }, parseBoardChoice({ board: 'johnny-five', port: link, parts: 'leds,buzzer' })!);
    try {
      await b.start();
      // the intro sounds the buzzer from about 60 ms to 2 s after power-up; the LEDs stay dark
      await b.runFor(1_000_000);
      assert.ok(emu.parts.buzzer.isOn, 'the buzzer behind the pty sounds');
      assert.is(b.observe('buzzer'), 'on');
      assert.is(b.observe('led.red'), emu.parts.redLed.state());
      assert.is(b.observe('led.green'), emu.parts.greenLed.state());
      await b.runFor(1_500_000);
      assert.not.ok(emu.parts.buzzer.isOn, 'the buzzer behind the pty is silent after the intro');
      assert.is(b.observe('buzzer'), 'off');
    } finally {
      await b.close();
    }
  } finally {
    await emu.stop();
  }
});

(socatAvailable() ? test : test.skip)('a campaign on a board behind a pty says once, before its first run, which of its scenarios\' meter values the rig\'s chips replace', async () => {
  const link = join(dir, 'ttyRIG4');
  const emu = await startPtyEmulator(link, DEFAULT_WIRING);
  // what happens, in order: the lines on stderr and the rig's buzzer sounding (the intro, about 60 ms into each run)
  const events: string[] = [];
  emu.parts.buzzer.onChange = (on) => { if (on) events.push('buzzer'); };
  try {
    const files = [500, 700].map((credit) => {
      const file = join(dir, `rig-campaign-${credit}.yaml`);
      writeFileSync(file, `name: credit ${credit}\nversion: 1\nmeter: { firmware: field, mode: sts, credit: ${credit}, clock: "2026-03-01T08:00:00" }\n`
        + 'plant: { grid: { vrms: 230, hz: 50 } }\nsteps:\n  - delay: 1s\n');
      return file;
    });
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => { events.push(...t.split('\n').filter(Boolean)); return true; } },
    };
    const code = await main(['run', ...files, '--board', 'johnny-five', '--port', link, '--parts', 'eeprom,rtc,buzzer'], { io, commands: [createRunCommand({ io })], env: {} });
    assert.is(code, 0, events.join('\n'));
    const eeprom = events.filter((e) => e.startsWith('osm run: the rig\'s AT24C32 is the meter\'s EEPROM'));
    const rtc = events.filter((e) => e.startsWith('osm run: the rig\'s DS1307 is the meter\'s clock'));
    assert.is(eeprom.length, 1, events.join('\n'));
    assert.is(rtc.length, 1, events.join('\n'));
    assert.match(eeprom[0], `not applied: ${files[0]} meter.credit 500; ${files[1]} meter.credit 700`);
    assert.match(rtc[0], `not applied: ${files[0]} meter.clock 2026-03-01T08:00:00; ${files[1]} meter.clock 2026-03-01T08:00:00`);
    const firstBuzz = events.indexOf('buzzer');
    assert.ok(firstBuzz > events.indexOf(eeprom[0]) && firstBuzz > events.indexOf(rtc[0]), `the notes come before the first run sounds the buzzer: ${events.join(' | ')}`);
    assert.ok(events.lastIndexOf('buzzer') > firstBuzz, 'both runs sounded the buzzer');
  } finally {
    await emu.stop();
  }
});

test.run();
