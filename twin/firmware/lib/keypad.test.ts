import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS, type PinName } from '../../board/board.ts';
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { createSimulatedBoard } from '../../board/simulated-board.ts';
import { NO_KEY } from './arduino.ts';
import { Keypad, type KeyState } from './keypad.ts';

// The meter's keypad (docs/firmware.md §1.5).
const KEYS = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

const COLS: ReadonlySet<PinName> = new Set<PinName>(PINS.keypadCols);

/** The library on the simulated board's keypad matrix; `scans` counts the column drive changes a scan makes. */
function setup() {
  const board = createSimulatedBoard(new Cpu(new VirtualClock()));
  const matrix = board.parts.keypad;
  const columnChanges = { n: 0 };
  board.onPinChange = (pin) => { if (COLS.has(pin)) columnChanges.n++; };
  const keypad = new Keypad(board, KEYS, PINS.keypadRows, PINS.keypadCols);
  return { board, matrix, keypad, columnChanges };
}

type Action = [atMs: number, what: 'press' | 'release', key: string];
interface Call { ms: number; key: string; state: KeyState; scanned: boolean }

/** The firmware's wait loop: `getKey()` then `delay(stepMs)`, with key actions applied at their times. */
function drive(s: ReturnType<typeof setup>, untilMs: number, actions: Action[], stepMs = 20): Call[] {
  const calls: Call[] = [];
  const pending = [...actions].sort((a, b) => a[0] - b[0]);
  while (s.board.millis() < untilMs) {
    const ms = s.board.millis();
    while (pending.length && pending[0][0] <= ms) {
      const [, what, key] = pending.shift()!;
      if (what === 'press') s.matrix.press(key); else s.matrix.release(key);
    }
    const before = s.columnChanges.n;
    const key = s.keypad.getKey();
    calls.push({ ms, key, state: s.keypad.getState(), scanned: s.columnChanges.n > before });
    s.board.delayBlocking(stepMs);
  }
  return calls;
}

const reported = (calls: Call[]): string[] => calls.filter((c) => c.key !== NO_KEY).map((c) => c.key);

test('reads every key of the 4x4 layout at its row and column', () => {
  for (const key of KEYS.flat()) {
    const s = setup();
    const calls = drive(s, 300, [[100, 'press', key], [200, 'release', key]]);
    assert.equal(reported(calls), [key], `key ${key}`);
  }
});

test('reports a held key exactly once, with no auto-repeat', () => {
  const s = setup();
  const calls = drive(s, 3000, [[100, 'press', '5'], [2500, 'release', '5']]);
  assert.equal(reported(calls), ['5']);
});

test('getState is PRESSED, never HOLD, on the call that returns the key (the keypad.hpp:188 test cannot pass)', () => {
  const s = setup();
  const calls = drive(s, 1500, [[100, 'press', '*']]);
  const hit = calls.find((c) => c.key === '*');
  assert.ok(hit);
  assert.is(hit!.state, 'PRESSED');
});

test('goes to HOLD at the first scan more than 500 ms after the press', () => {
  const s = setup();
  const calls = drive(s, 1500, [[100, 'press', '*']]);
  const pressedAt = calls.find((c) => c.key === '*')!.ms;
  const holdAt = calls.find((c) => c.state === 'HOLD')!.ms;
  assert.ok(holdAt - pressedAt > 500, `HOLD after ${holdAt - pressedAt} ms`);
  const lastBefore = calls.filter((c) => c.ms < holdAt && c.scanned).pop()!;
  assert.ok(lastBefore.ms - pressedAt <= 500, 'the scan before HOLD was within the hold time');
});

test('a key released before the hold time goes PRESSED, RELEASED, IDLE, one step per scan', () => {
  const s = setup();
  const calls = drive(s, 400, [[100, 'press', '7'], [200, 'release', '7']]);
  const states = calls.filter((c) => c.scanned).map((c) => c.state);
  const changes = states.filter((st, i) => i === 0 || st !== states[i - 1]);
  assert.equal(changes, ['IDLE', 'PRESSED', 'RELEASED', 'IDLE']);
  const releasedScans = states.filter((st) => st === 'RELEASED').length;
  assert.is(releasedScans, 1);
});

test('loses a key pressed while slot 0 is still held (rollover)', () => {
  const s = setup();
  const calls = drive(s, 1000, [
    [100, 'press', '1'], [200, 'press', '2'], [300, 'release', '1'], [400, 'release', '2'],
    [700, 'press', '3'], [800, 'release', '3'],
  ]);
  assert.equal(reported(calls), ['1', '3']);
});

test('loses a key pressed at the scan where slot 0 goes from RELEASED to IDLE', () => {
  const s = setup();
  // Scans every 20 ms: '1' is seen released at the scan after 200 ms; '2' arrives before the next scan, which is
  // the one that only moves '1' to IDLE, so '2' is put in slot 1.
  const calls = drive(s, 600, [[100, 'press', '1'], [200, 'release', '1'], [205, 'press', '2'], [500, 'release', '2']]);
  assert.equal(reported(calls), ['1']);
});

test('scans only when more than the 10 ms debounce time has passed since the last scan', () => {
  const s = setup();
  const calls = drive(s, 500, [], 1);
  const scans = calls.filter((c) => c.scanned).map((c) => c.ms);
  assert.ok(scans.length > 10);
  const gaps = scans.slice(1).map((t, i) => t - scans[i]);
  assert.ok(gaps.every((g) => g === 11 || g === 12), `gaps ${gaps.join(',')}`);
  assert.ok(gaps.filter((g) => g === 11).length > gaps.length / 2);
});

test('setHoldTime moves the HOLD transition', () => {
  const s = setup();
  s.keypad.setHoldTime(1000);
  const calls = drive(s, 2000, [[100, 'press', '0']]);
  const pressedAt = calls.find((c) => c.key === '0')!.ms;
  const holdAt = calls.find((c) => c.state === 'HOLD')!.ms;
  assert.ok(holdAt - pressedAt > 1000 && holdAt - pressedAt <= 1030, `HOLD after ${holdAt - pressedAt} ms`);
});

test('setDebounceTime(0) scans at most once per millisecond tick (the library makes it 1)', () => {
  const s = setup();
  s.keypad.setDebounceTime(0);
  const calls = drive(s, 100, [], 1);
  const scans = calls.filter((c) => c.scanned).map((c) => c.ms);
  const gaps = scans.slice(1).map((t, i) => t - scans[i]);
  assert.ok(gaps.every((g) => g >= 2), `gaps ${gaps.join(',')}`);
});

test('refuses a keymap that does not match the pins, with a clear message', () => {
  const { board } = setup();
  assert.throws(() => new Keypad(board, KEYS.slice(0, 3), PINS.keypadRows, PINS.keypadCols), /keymap has 3 rows but 4 row pins/);
  assert.throws(() => new Keypad(board, [['1', '22', '3', 'A'], ...KEYS.slice(1)], PINS.keypadRows, PINS.keypadCols), /single character/);
  assert.throws(() => new Keypad(board, KEYS, PINS.keypadRows, PINS.keypadCols).setHoldTime(-1), /whole number/);
});

test.run();
