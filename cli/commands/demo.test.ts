// `osm demo` as a workshop sees it: the header tells the firmware's real mode, the screen says when the firmware is
// blocked in its modem loop, and the help says how tokens are typed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import type { CliIo } from '../command.ts';
import { createDemoCommand } from './demo.ts';
import { KeypadHints, ThingsBoardPostWatch, createDemoBench, keypadHint, modemBusyText, modeText } from './demo-run.ts';
import type { TwinMeter } from '../../twin/twin-meter.ts';
import type { KeyName } from '../../twin/meter.ts';
import { FirmwareState } from '../../twin/firmware/state.ts';

function buffers(tty: boolean): { io: CliIo; out: () => string } {
  let out = '';
  return { io: { stdout: { write: (t: string) => { out += t; }, isTTY: tty }, stderr: { write: () => {} } }, out: () => out };
}

const noKeys = (): NodeJS.ReadStream => Readable.from([]) as unknown as NodeJS.ReadStream;

test('the help says that a token is typed as * then its digits then #', () => {
  assert.match(createDemoCommand().usage, /a token is typed as \* then its 20 digits \(0-9, A-C\) then #/);
});

test('the header names the mode the firmware runs in: the shipped firmware has none and shows No Configuration', async () => {
  const b = buffers(true);
  const code = await createDemoCommand(b.io, noKeys()).run(['--profile', 'shipped', '--speed', 'max', '--duration', '30']);
  assert.is(code, 0);
  const last = b.out().slice(b.out().lastIndexOf('OpenSmartMeter Twin:'));
  assert.match(last, /^OpenSmartMeter Twin: shipped firmware, no mode set: No Configuration \(defect D1\), metering nothing/);
  assert.match(last, /No Configuration/);
  assert.not.match(b.out(), /STS mode/);
});

test('the field firmware\'s header says STS mode', async () => {
  const b = buffers(true);
  await createDemoCommand(b.io, noKeys()).run(['--speed', 'max', '--duration', '25']);
  assert.match(b.out().slice(b.out().lastIndexOf('OpenSmartMeter Twin:')), /^OpenSmartMeter Twin: field firmware, STS mode/);
});

test('while the main loop is blocked in the web poll the status says since when, from the firmware twin\'s state', async () => {
  const b = buffers(false);
  await createDemoCommand(b.io, noKeys()).run(['--speed', 'max', '--duration', '90']);
  const lines = b.out().trim().split('\n');
  const busy = lines.filter((l) => / firmware busy in the modem loop since \d+(m\d\ds|s)$/.test(l));
  assert.ok(busy.length > 10, `${busy.length} of ${lines.length} lines`);
  assert.match(lines.at(-1)!, /since 1m\d\ds$/);
});

test('busy text: minutes and seconds since the loop entered the modem code; nothing when it is not in it', () => {
  const s = new FirmwareState();
  assert.is(modemBusyText(s, 100_000), null);
  s.modemBusySinceMs = 28_000;
  assert.match(modemBusyText(s, 100_000)!, /^firmware busy in the modem loop since 1m12s: /);
  assert.match(modemBusyText(s, 40_000)!, /since 12s: /);
  s.Mode_select = 1;
  assert.is(modeText(s), 'STS mode');
  assert.is(modeText(null), 'unpowered');
});

const TOKEN = '43643501245072A10001'; // osm sts generate --amount 500: accepted by the default meter, +500

test('a token typed without * leaves the LCD on the meter-number page through a later entry, as the firmware does, and the demo says why and how back', async () => {
  const bench = createDemoBench({ profile: 'field', credit: 250, seed: 1 });
  const state = (): FirmwareState => (bench.meter as TwinMeter).firmware!.state;
  const hints = new KeypadHints();
  const type = async (keys: string): Promise<void> => {
    for (const k of keys) hints.typed(k as KeyName);
    bench.queueKeys([...keys] as KeyName[]);
    await bench.runFor(60e6);
  };
  try {
    await bench.start();
    await bench.runFor(30e6);
    assert.is(hints.text(state()), null);
    await type(TOKEN);
    // The A of the token (no entry open) is the firmware's page key: page 1, which never times out.
    assert.is(bench.observe('lcd.line0'), '  Meter number  ');
    assert.match(hints.text(state())!, /parameter page 1 of 7 \(meter number\): an A typed outside a token entry \(no \* first\) opens these pages; they never time out and hide token entry\. To return: press A 7 times$/);
    const credit = Number(bench.observe('credit'));
    await type(`*${TOKEN}#`);
    assert.ok(Number(bench.observe('credit')) >= credit + 499, `the token is accepted behind the page: ${credit} -> ${bench.observe('credit')}`);
    assert.is(bench.observe('lcd.line0'), '  Meter number  ', 'the page is still drawn over the entry');
    assert.match(hints.text(state())!, /To return: press A 7 times$/, 'the accept timeout closed the entry');
    await type('*');
    assert.is(bench.observe('lcd.line0'), '  Meter number  ');
    assert.match(hints.text(state())!, /To return: press D \(ends the entry\), then A 7 times$/, 'an A now would be a token character');
    await type('DAAAAAAA');
    assert.is(state().parameters, 0);
    assert.not.match(String(bench.observe('lcd.line0')), /Meter number/);
    assert.is(hints.text(state()), null);
  } finally {
    await bench.close();
  }
});

test('digits typed with no entry open are ignored by the firmware, and the demo says a token starts with *', () => {
  const s = new FirmwareState();
  const hints = new KeypadHints();
  hints.typed('4');
  assert.match(hints.text(s)!, /keys typed without \* first are ignored by the firmware: a token is \* then its 20 digits then #/);
  hints.typed('*');
  assert.is(hints.text(s), null);
  assert.is(keypadHint(null, true), null);
});

test('keys typed while the firmware boots are lost, and the hint says so until its setup is complete', () => {
  const hints = new KeypadHints();
  const s = new FirmwareState();
  hints.typed('*', false);
  assert.match(hints.text(s, false)!, /^keys typed while the firmware boots are lost: it reads its keypad once its setup is complete/);
  assert.is(hints.text(s, true), null, 'gone once booted');
  assert.is(hints.text(s, false), null, 'and not back at the next boot unless a key is typed in it');
});

test('the daily ThingsBoard post is read from the firmware state: mode 1, hour 23, the day\'s post not done', () => {
  const s = new FirmwareState();
  const post = new ThingsBoardPostWatch(true);
  s.Mode_select = 1; s.hours = 22;
  post.update(s, 1000);
  assert.is(post.text(1000), null);
  s.hours = 23;
  post.update(s, 2000);
  post.update(s, 74_000);
  assert.match(post.text(74_000)!, /^firmware busy in its daily ThingsBoard post since 1m12s: with no network it retries for ever \(defect D22; --profile fixed gives up\): readings and relay are frozen, even at credit 0; tokens still go in$/);
  s.thingsboard_check = 1;
  post.update(s, 75_000);
  assert.is(post.text(75_000), null, 'the post returned');
  assert.match(new ThingsBoardPostWatch(false).text(0) ?? 'none', /none/);
});

test('at 23:00 with no network the field firmware never leaves its ThingsBoard post (D22) and the demo says so; with D22 fixed it gives up', async () => {
  for (const profile of ['field', 'fixed'] as const) {
    const bench = createDemoBench({ profile, credit: 250, seed: 1 }, { year: 2026, month: 3, day: 1, hour: 22, minute: 59, second: 0 });
    const state = (): FirmwareState => (bench.meter as TwinMeter).firmware!.state;
    const post = new ThingsBoardPostWatch(profile === 'field');
    const seen: string[] = [];
    try {
      await bench.start();
      for (let s = 0; s < 720; s++) {
        await bench.runFor(1e6);
        post.update(state(), bench.now() / 1000);
        const text = post.text(bench.now() / 1000);
        if (text) seen.push(text);
      }
      if (profile === 'field') {
        // what the screen claims: tokens still go in (the timer interrupt), the relay is never switched again
        bench.queueKeys([...`*${TOKEN}#`] as KeyName[]);
        bench.tamper(true);
        await bench.runFor(60e6);
        assert.ok(Number(bench.observe('credit')) > 700, `the token went in: credit ${bench.observe('credit')}`);
        assert.is(bench.observe('relay'), 'closed', 'an open cover does not cut the relay');
        post.update(state(), bench.now() / 1000);
      }
    } finally {
      await bench.close();
    }
    if (profile === 'field') {
      assert.ok(seen.length > 250, `${seen.length} s in the post`);
      assert.match(seen.at(-1)!, /since [4-9]m\d\ds: with no network it retries for ever \(defect D22/);
      assert.ok(post.text(bench.now() / 1000) !== null, 'still in it at the end');
    } else {
      assert.ok(seen.length > 0 && seen.length < 200, `${seen.length} s in the post`);
      assert.match(seen[0], /wait until it gives up \(no network\); tokens still go in$/);
      assert.is(post.text(bench.now() / 1000), null, 'gave up');
    }
  }
});

test('--duration takes seconds or a time with a unit, as scenarios write it', async () => {
  const b = buffers(false);
  assert.is(await createDemoCommand(b.io, noKeys()).run(['--speed', 'max', '--duration', '1min']), 0);
  assert.match(b.out().trim().split('\n').at(-1)!, /^\s*1m00\.000s \|/);
  const refusal = async (value: string): Promise<string> => {
    try { await createDemoCommand(b.io, noKeys()).run(['--duration', value]); } catch (err) { return `${(err as Error).name}: ${(err as Error).message}`; }
    return 'accepted';
  };
  assert.is(await refusal('soon'), "UsageError: --duration: expected seconds or a time with a unit (90, 10min, 15h), got 'soon'");
  assert.is(await refusal('500ms'), 'UsageError: --duration: 500ms is out of range (1 s to 365 d)');
});

/** Keys piped in: a stream that is not a terminal and gives `text`, then ends. */
const pipedKeys = (text: string): NodeJS.ReadStream => Readable.from([Buffer.from(text)]) as unknown as NodeJS.ReadStream;

test('keys piped in are typed once the firmware has booted, and the q after them ends the demo', async () => {
  const b = buffers(false);
  // --duration is only a guard: the q must end the run long before it
  const code = await createDemoCommand(b.io, pipedKeys(`*${TOKEN}#q`)).run(['--speed', 'max', '--duration', '600']);
  assert.is(code, 0);
  const last = b.out().trim().split('\n').at(-1)!;
  const t = Number(/^\s*(\d+)\.\d+s /.exec(last)?.[1]);
  assert.ok(t >= 23 && t < 60, `ended at ${last.trim().slice(0, 12)}: after the boot (23 s) and the 22 keys, not at --duration`);
  assert.match(last, /TOKEN ACCEPTED/);
  assert.ok(Number(/credit (\d+\.\d+)/.exec(last)?.[1]) > 700, last);
});

test('a piped input that ends without q leaves the demo running until --duration, as a demo with no input', async () => {
  const b = buffers(false);
  const code = await createDemoCommand(b.io, pipedKeys('*')).run(['--speed', 'max', '--duration', '40']);
  assert.is(code, 0);
  const last = b.out().trim().split('\n').at(-1)!;
  assert.match(last, /^\s*40\.000s \| TOKEN:/);
});

test('on a terminal screen fed by a pipe, the footer says the keys come from the input and how many wait for the boot', async () => {
  const b = buffers(true);
  await createDemoCommand(b.io, pipedKeys('*12')).run(['--speed', 'max', '--duration', '5']);
  assert.match(b.out(), / keys from the input: 3 waiting \(typed in order once the firmware has booted; q in them quits\)/);
  assert.not.match(b.out(), /keys disabled/);
});

/** A terminal as the demo sees it: raw mode switched through setRawMode, keys sent with `type`. */
class FakeTerminal extends Readable {
  readonly isTTY = true;
  readonly modes: boolean[] = [];
  setRawMode(on: boolean): this { this.modes.push(on); return this; }
  override _read(): void {}
  type(text: string): void { this.push(Buffer.from(text)); }
}

/**
 * A terminal's screen that types keys as the screens come, not on a wall-clock timer (a loaded machine may draw no
 * screen between two timers): each pair's keys once a screen matches it, in order. A screen that matches none is
 * counted; after 50 of them the demo is sent q, so a key that is not acted on fails the test instead of hanging it.
 */
function typedOnScreens(term: FakeTerminal, script: Array<[RegExp, string]>): { io: CliIo; out: () => string } {
  let out = '';
  let missed = 0;
  const write = (t: string): void => {
    out += t;
    if (!/ t = /.test(t)) return;
    const next = script[0];
    if (next && next[0].test(t)) { script.shift(); missed = 0; term.type(next[1]); } else if (++missed === 50) term.type('q');
  };
  return { io: { stdout: { write, isTTY: true }, stderr: { write: () => {} } }, out: () => out };
}

test('the help\'s recipe for credit running out holds: with --credit 201 and the 60 A heater the relay opens before the 23:00 post', async () => {
  assert.match(createDemoCommand().usage, /--credit 201, then l twice \(the 60 A heater\)[\s\S]*opens about 14 h 40 min in/);
  const b = buffers(false);
  await createDemoCommand(b.io, pipedKeys('ll')).run(['--speed', 'max', '--credit', '201', '--duration', '15h']);
  const lines = b.out().trim().split('\n');
  const open = lines.findIndex((l, i) => i > 60 && / relay open /.test(l));
  assert.ok(open > 0, 'the relay opened');
  assert.match(lines[open], /^\s*14h[34]\dm\d\d\.000s \|.*\| credit 0\.\d\d/);
  assert.not.match(lines.slice(0, open).join('\n'), /ThingsBoard post/);
});

test('Ctrl-C typed on a terminal ends the demo and puts the terminal back out of raw mode', async () => {
  const b = buffers(true);
  const term = new FakeTerminal();
  setTimeout(() => term.type('\u0003'), 200);
  const code = await createDemoCommand(b.io, term as unknown as NodeJS.ReadStream).run(['--speed', '50', '--duration', '3600']);
  assert.is(code, 0);
  assert.equal(term.modes, [true, false]);
  assert.ok(term.isPaused(), 'the terminal is no longer read');
});

test('keys typed on a terminal act at once: q quits even while the firmware still boots', async () => {
  const term = new FakeTerminal();
  const b = typedOnScreens(term, [[/ t = /, 'q']]);
  const code = await createDemoCommand(b.io, term as unknown as NodeJS.ReadStream).run(['--speed', '1', '--duration', '3600']);
  assert.is(code, 0);
  assert.match(b.out(), /keys: 0-9 A-D \* # keypad/);
  const times = [...b.out().matchAll(/ t = (\d+)\.\d+s /g)].map((m) => Number(m[1]));
  assert.ok(times.length > 0 && times.at(-1)! < 10, `the last screen at ${times.at(-1)} s: within the boot (23 s)`);
});

test('+ and - typed on a terminal change the speed at once, and the header shows the speed now', async () => {
  const term = new FakeTerminal();
  const b = typedOnScreens(term, [[/\(speed x1\)/, '++'], [/\(speed x60\)/, '-'], [/\(speed x10\)/, 'q']]);
  const code = await createDemoCommand(b.io, term as unknown as NodeJS.ReadStream).run(['--speed', '1', '--duration', '3600']);
  assert.is(code, 0);
  const speeds = [...b.out().matchAll(/\(speed (x\d+|max)\)/g)].map((m) => m[1]);
  assert.is(speeds[0], 'x1');
  assert.ok(speeds.includes('x60'), speeds.join(' '));
  assert.not.ok(speeds.slice(speeds.indexOf('x60')).includes('x1'), speeds.join(' '));
  assert.is(speeds.at(-1), 'x10', 'the screens after -');
  assert.match(b.out(), /\+\/- speed/);
});

test.run();
