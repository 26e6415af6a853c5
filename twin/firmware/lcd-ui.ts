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
import { perFirmware } from './per-firmware.ts';
import type { LiquidCrystal } from './lib/liquid-crystal.ts';
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
 * Scene 1, the readings: V, I, P and PF. Its texts and its key (what it prints) are rebuilt only when a value changed;
 * `FloatText` hands back the same string while a value holds, so the usual tick compares references and passes the
 * port the very key string of the tick before. The drawing function is made once, not at every tick.
 */
class ReadingsScene {
  readonly #v = new FloatText();
  readonly #i = new FloatText();
  readonly #p = new FloatText();
  readonly #pf = new FloatText();
  v = '';
  i = '';
  p = '';
  pf = '';
  key = '';
  readonly draw: () => void;

  constructor(lcd: LiquidCrystal) {
    this.draw = () => {
      lcd.setCursor(0, 0);
      lcd.print('V=     ');
      lcd.setCursor(2, 0);
      lcd.print(this.v);
      lcd.setCursor(7, 0);
      lcd.print(' ');

      lcd.setCursor(8, 0);
      lcd.print('C=     ');
      lcd.setCursor(10, 0);
      lcd.print(this.i);
      lcd.setCursor(15, 0);
      lcd.print('A');

      lcd.setCursor(0, 1);
      lcd.print('W=          ');
      lcd.setCursor(2, 1);
      lcd.print(this.p);
      lcd.setCursor(8, 1);
      lcd.print(' ');
      lcd.setCursor(9, 1);
      lcd.print('PF=        ');
      lcd.setCursor(12, 1);
      lcd.print(this.pf);
    };
  }

  /** The texts of these values; the scene's key. */
  update(mains: number, curr: number, power: number, pf: number): string {
    const v = this.#v.text(mains);
    const i = this.#i.text(curr);
    const p = this.#p.text(power);
    const f = this.#pf.text(pf);
    if (this.key === '' || v !== this.v || i !== this.i || p !== this.p || f !== this.pf) {
      this.v = v; this.i = i; this.p = p; this.pf = f;
      this.key = `1|${v}|${i}|${p}|${f}`;
    }
    return this.key;
  }
}

/** Scene 2, credit and energy (as `ReadingsScene`). */
class CreditScene {
  readonly #credit = new FloatText();
  readonly #energy = new FloatText();
  credit = '';
  energy = '';
  key = '';
  readonly draw: () => void;

  constructor(lcd: LiquidCrystal) {
    this.draw = () => {
      lcd.setCursor(0, 0);
      lcd.print(' CREDIT=#       ');
      lcd.setCursor(9, 0);
      lcd.print(this.credit);

      lcd.setCursor(0, 1);
      lcd.print('ENERGY=        ');
      lcd.setCursor(7, 1);
      lcd.print(this.energy);
      lcd.setCursor(12, 1);
      lcd.print('KW/H');
    };
  }

  update(creditt: number, energy: number): string {
    const c = this.#credit.text(creditt);
    const e = this.#energy.text(energy);
    if (this.key === '' || c !== this.credit || e !== this.energy) {
      this.credit = c; this.energy = e;
      this.key = `2|${c}|${e}`;
    }
    return this.key;
  }
}

/** The memo of each call site, one set per running firmware (the meters of a fleet share a process). */
class LcdTexts {
  readonly readings: ReadingsScene;
  readonly credit: CreditScene;
  readonly generic = new FloatText();
  constructor(lcd: LiquidCrystal) {
    this.readings = new ReadingsScene(lcd);
    this.credit = new CreditScene(lcd);
  }
}

const texts = perFirmware((fw) => new LcdTexts(fw.lcd));

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
    const scene = tx.readings;
    lcd.scene(0, scene.update(s.mains_input_value, s.curr, s.true_power, s.powerFactor), scene.draw);
  }

  // scene 2
  if (s.cnt === 1) {
    const scene = tx.credit;
    lcd.scene(0, scene.update(s.creditt, s.ENERGY), scene.draw);
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
