// The LCD scenes and parameter pages drawn by the timer interrupt (lcd_display.hpp; docs/firmware.md §3.7, §4.5).
// Whole scenes are redrawn at every 20 Hz tick with the exact write sequence of the original (cursor moves and
// blank-padding strings included), so what a half-finished redraw leaves in DDRAM is what the meter shows.
//
// Hot path: `lcd_update` runs ~1.7 million times per simulated day. Number formatting is memoised per field (the
// text of a float only changes when the value does); the LCD bus writes themselves are the original's, in the original
// order. Each scene goes to the bus as one `scene` (its key: the texts it prints), so that the simulated board can
// skip a redraw that provably changes nothing, charging the same time (twin/board/lcd-port.ts; off with --exact-slow).
// The numbers are formatted before the scene starts: the original formats each inside its print call, which costs
// no modelled time either way.
import type { FirmwareContext } from './firmware-context.ts';
import { formatFloat, formatInt } from './lib/print.ts';

/** The last value printed at one call site and its text (Arduino `print(float)`, 2 decimals). */
class FloatText {
  #v = Number.NaN;
  #s = 'nan';
  text(x: number): string {
    if (x !== this.#v && !(Number.isNaN(x) && Number.isNaN(this.#v))) {
      this.#v = x;
      this.#s = formatFloat(x);
    }
    return this.#s;
  }
}

/**
 * The key of a scene (`lcd.scene`) from the texts it prints, rebuilt only when one of them changed. The texts come from
 * `FloatText`, which hands back the same string while the value holds, so the usual tick compares four references and
 * passes the very key string of the tick before (which the port then compares by reference, not character by character).
 */
class SceneKey {
  #prefix: string;
  #parts: string[] = [];
  #key = '';
  constructor(prefix: string) { this.#prefix = prefix; }
  of(a: string, b: string, c?: string, d?: string): string {
    const p = this.#parts;
    if (p.length === 0 || p[0] !== a || p[1] !== b || p[2] !== c || p[3] !== d) {
      this.#parts = [a, b, c as string, d as string];
      this.#key = c === undefined ? `${this.#prefix}|${a}|${b}` : `${this.#prefix}|${a}|${b}|${c}|${d}`;
    }
    return this.#key;
  }
}

/** The memo of each call site, one set per running firmware (the meters of a fleet share a process). */
class LcdTexts {
  readonly scene1 = new SceneKey('1');
  readonly scene2 = new SceneKey('2');
  readonly v = new FloatText();
  readonly i = new FloatText();
  readonly p = new FloatText();
  readonly pf = new FloatText();
  readonly credit = new FloatText();
  readonly energy = new FloatText();
  readonly generic = new FloatText();
}

const textsOf = new WeakMap<FirmwareContext, LcdTexts>();

function texts(fw: FirmwareContext): LcdTexts {
  let t = textsOf.get(fw);
  if (!t) { t = new LcdTexts(); textsOf.set(fw, t); }
  return t;
}

/** `lcd_update()` (lcd_display.hpp:25-78). */
export function lcd_update(fw: FirmwareContext): void {
  const s = fw.state;
  const tx = texts(fw);
  const lcd = fw.lcd;
  s.lcdtime_now = fw.board.millis();
  if (((s.lcdtime_now - s.prev_lcdtime) >>> 0) >= s.LCD_scroll_time) {
    s.cnt = (s.cnt + 1) >>> 0;
    s.prev_lcdtime = s.lcdtime_now;
    // `lcd.begin(16, 2)` re-initialises the display (≈61 ms inside the ISR, D33); fixed: a 2 ms clear.
    if (fw.has('D33')) lcd.begin(16, 2);
    else lcd.clear();
  }

  // scene 1
  if (s.cnt === 0) {
    const v = tx.v.text(s.mains_input_value);
    const i = tx.i.text(s.curr);
    const p = tx.p.text(s.true_power);
    const pf = tx.pf.text(s.powerFactor);
    lcd.scene(0, tx.scene1.of(v, i, p, pf), () => {
      lcd.setCursor(0, 0);
      lcd.print('V=     ');
      lcd.setCursor(2, 0);
      lcd.print(v);
      lcd.setCursor(7, 0);
      lcd.print(' ');

      lcd.setCursor(8, 0);
      lcd.print('C=     ');
      lcd.setCursor(10, 0);
      lcd.print(i);
      lcd.setCursor(15, 0);
      lcd.print('A');

      lcd.setCursor(0, 1);
      lcd.print('W=          ');
      lcd.setCursor(2, 1);
      lcd.print(p);
      lcd.setCursor(8, 1);
      lcd.print(' ');
      lcd.setCursor(9, 1);
      lcd.print('PF=        ');
      lcd.setCursor(12, 1);
      lcd.print(pf);
    });
  }

  // scene 2
  if (s.cnt === 1) {
    const credit = tx.credit.text(s.creditt);
    const energy = tx.energy.text(s.ENERGY);
    lcd.scene(0, tx.scene2.of(credit, energy), () => {
      lcd.setCursor(0, 0);
      lcd.print(' CREDIT=#       ');
      lcd.setCursor(9, 0);
      lcd.print(credit);

      lcd.setCursor(0, 1);
      lcd.print('ENERGY=        ');
      lcd.setCursor(7, 1);
      lcd.print(energy);
      lcd.setCursor(12, 1);
      lcd.print('KW/H');
    });
  }
  if (s.cnt > 1) s.cnt = 0;
}

/** `parameters_display()` (lcd_display.hpp:80-164): the `A`-key pages, redrawn at every tick. */
export function parameters_display(fw: FirmwareContext): void {
  const s = fw.state;
  const lcd = fw.lcd;
  if (s.parameters === 1) {
    lcd.setCursor(0, 0);
    lcd.print('  Meter number  ');
    lcd.setCursor(0, 1);
    lcd.print('                ');
    lcd.setCursor(3, 1);
    lcd.print(s.meter);
  }
  if (s.parameters === 2) {
    lcd.setCursor(0, 0);
    lcd.print('date/time :     ');
    lcd.setCursor(0, 1);
    lcd.print('                ');

    lcd.setCursor(0, 1);
    lcd.print(' ');
    lcd.setCursor(1, 1);
    lcd.print(formatInt(s.rtcday));
    lcd.setCursor(3, 1);
    lcd.print('/');

    lcd.setCursor(4, 1);
    lcd.print(formatInt(s.hours));
    lcd.setCursor(6, 1);
    lcd.print(':');

    lcd.setCursor(7, 1);
    lcd.print(formatInt(s.minutes));
    lcd.setCursor(9, 1);
    lcd.print(':');

    lcd.setCursor(10, 1);
    lcd.print(formatInt(s.seconds));
    lcd.setCursor(12, 1);
    lcd.print('     ');
  }
  if (s.parameters === 3) {
    lcd.setCursor(0, 0);
    lcd.print('battery level :  ');
    lcd.setCursor(0, 1);
    lcd.print('                ');
    lcd.setCursor(6, 1);
    lcd.print(texts(fw).generic.text(s.btt));
  }
  if (s.parameters === 4) {
    lcd.setCursor(0, 0);
    lcd.print('TARIFF =        ');
    lcd.setCursor(0, 1);
    lcd.print('                ');
    lcd.setCursor(6, 1);
    lcd.print(formatInt(s.tariff));
  }
  if (s.parameters === 5) {
    lcd.setCursor(0, 0);
    lcd.print('Fault event :   ');
    lcd.setCursor(0, 1);
    lcd.print('                ');
    s.tamper_log = fw.mem.readLong(s.tamper_location) | 0; // unsigned long → int
    lcd.setCursor(6, 1);
    lcd.print(formatInt(s.tamper_log));
  }

  if (s.parameters === 6) {
    lcd.setCursor(0, 0);
    lcd.print('Last month      ');
    lcd.setCursor(0, 1);
    lcd.print('billing date :  ');
    lcd.setCursor(14, 1);
    // D25: the page titled "billing date" prints lastmonth_KWH; fixed: the billing date (day of month).
    if (fw.has('D25')) lcd.print(texts(fw).generic.text(s.lastmonth_KWH));
    else lcd.print(formatInt(s.billing_date | 0));
  }
  if (s.parameters === 7) {
    lcd.setCursor(0, 0);
    lcd.print(' Last month KWH ');
    lcd.setCursor(0, 1);
    lcd.print('                ');
    lcd.setCursor(6, 1);
    lcd.print(texts(fw).generic.text(s.lastmonth_KWH));
    lcd.setCursor(12, 1);
    lcd.print('KW/H');
  }
  if (s.parameters > 7) s.parameters = 0;
}
