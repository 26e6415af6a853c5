// The LCD port's exact shortcut for scene redraws: skipped only when provably a no-op, with the same time charged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu } from './cpu.ts';
import { LcdPort, LCD_BYTE_US } from './lcd-port.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';

function port(fastPaths = true): { p: LcdPort; cpu: Cpu; lcd: HD44780 } {
  const cpu = new Cpu(new VirtualClock());
  const lcd = new HD44780();
  const p = new LcdPort(cpu, lcd, { fastPaths });
  for (const b of [0x33, 0x32, 0x28, 0x0c, 0x06]) { p.command(b); cpu.spend(5000); }
  return { p, cpu, lcd };
}

const draw = (p: LcdPort, text: string) => (): void => { p.command(0x80); for (const c of text) p.write(c.charCodeAt(0)); };

test('a redraw that changes nothing is skipped the second time, charging the same CPU time', () => {
  const { p, cpu, lcd } = port();
  p.scene(0, 'a', draw(p, 'HELLO'));
  const t1 = cpu.nowUs();
  p.scene(0, 'a', draw(p, 'HELLO'));
  const t2 = cpu.nowUs();
  cpu.spend(1000);
  const t3 = cpu.nowUs();
  p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 2);
  assert.is(cpu.nowUs() - t3, t2 - t1, 'same cost');
  assert.is(t2 - t1, 6 * LCD_BYTE_US);
  assert.is(lcd.visibleLines()[0].trim(), 'HELLO');
});

test('a draw of cursor moves and characters is skipped from its first repeat, leaving what a redraw leaves', () => {
  const fast = port();
  const slow = port(false);
  for (const { p } of [fast, slow]) {
    p.command(0x80 | 0x40);
    for (const c of 'xyz') p.write(c.charCodeAt(0)); // the cursor is elsewhere and the display holds other text
    p.scene(0, 'a', draw(p, 'HELLO'));
  }
  assert.is(fast.p.scenesSkipped, 0, 'the first draw changes the display: it runs');
  for (const { p, cpu } of [fast, slow]) { cpu.spend(1000); p.scene(0, 'a', draw(p, 'HELLO')); }
  assert.is(fast.p.scenesSkipped, 1);
  assert.is(slow.p.scenesDrawn, 2);
  assert.equal(fast.lcd.stateBytes(), slow.lcd.stateBytes(), 'the same controller state as the redraw');
  assert.is(fast.cpu.nowUs(), slow.cpu.nowUs(), 'the same time charged');
});

test('a draw that depends on the state it finds (no cursor move first, or another instruction) is not trusted to repeat', () => {
  const { p } = port();
  let n = 0;
  // Writes at wherever the cursor is: each run lands one cell further on.
  for (let k = 0; k < 5; k++) p.scene(0, 'x', () => { p.write(0x41); n++; });
  assert.is(p.scenesSkipped, 0);
  // A display shift moves the text each time.
  for (let k = 0; k < 3; k++) p.scene(1, 'y', () => { p.command(0x80); p.write(0x42); p.command(0x18); });
  assert.is(p.scenesSkipped, 0);
  assert.is(n, 5);
});

test('a redraw with another key, or after any other write, runs byte by byte', () => {
  const { p } = port();
  p.scene(0, 'a', draw(p, 'HELLO'));
  p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 1);
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 1);
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 2);
  p.write(0x41);
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 2);
});

test('a draw that is not one of cursor moves and characters and changes the display is never skipped', () => {
  const { p } = port();
  let n = 0;
  for (let k = 0; k < 5; k++) p.scene(0, 'x', () => { p.command(0x80); p.write(0x30 + (n++ % 10)); p.command(0x06); });
  assert.is(p.scenesSkipped, 0);
});

test('each slot keeps its own record: the same key in another slot is drawn, a slot drawn again after another is too', () => {
  const { p, lcd } = port();
  const row1 = (text: string) => (): void => { p.command(0xc0); for (const c of text) p.write(c.charCodeAt(0)); };
  p.scene(0, 'a', draw(p, 'HELLO'));
  p.scene(0, 'a', draw(p, 'HELLO'));
  p.scene(1, 'a', row1('WORLD'));
  assert.is(p.scenesDrawn, 2);
  assert.is(lcd.visibleLines()[1].trim(), 'WORLD');
  p.scene(1, 'a', row1('WORLD'));
  assert.is(p.scenesSkipped, 2);
  p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesDrawn, 3, 'slot 1 wrote since slot 0 last drew');
  p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 3);
});

test('with the shortcuts off (exact-slow) nothing is skipped', () => {
  const { p } = port(false);
  for (let k = 0; k < 5; k++) p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 0);
  assert.is(p.scenesDrawn, 5);
});

test.run();
