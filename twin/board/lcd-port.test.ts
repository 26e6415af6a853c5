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
  assert.is(p.scenesSkipped, 1);
  assert.is(cpu.nowUs() - t3, t2 - t1, 'same cost');
  assert.is(t2 - t1, 6 * LCD_BYTE_US);
  assert.is(lcd.visibleLines()[0].trim(), 'HELLO');
});

test('a redraw with another key, or after any other write, runs byte by byte', () => {
  const { p } = port();
  p.scene(0, 'a', draw(p, 'HELLO'));
  p.scene(0, 'a', draw(p, 'HELLO'));
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 0);
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 1);
  p.write(0x41);
  p.scene(0, 'b', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 1);
});

test('a redraw that changes the display is never skipped', () => {
  const { p } = port();
  let n = 0;
  for (let k = 0; k < 5; k++) p.scene(0, 'x', () => { p.command(0x80); p.write(0x30 + (n++ % 10)); });
  assert.is(p.scenesSkipped, 0);
});

test('with the shortcuts off (exact-slow) nothing is skipped', () => {
  const { p } = port(false);
  for (let k = 0; k < 5; k++) p.scene(0, 'a', draw(p, 'HELLO'));
  assert.is(p.scenesSkipped, 0);
  assert.is(p.scenesDrawn, 5);
});

test.run();
