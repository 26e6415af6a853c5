// `osm board check`: what a hardware engineer runs first on a rig. It connects, checks the wiring map against the
// board's capability report, toggles each output of the chosen parts, writes a line on the LCD, reads each input
// (cover voltage, keypad rows, RTC time, EEPROM), and measures the AFE round trip over the link: the firmware's own
// register read frame (Urms), timed from the frame leaving the host to the last reply byte arriving.
import type { RigConnection } from './rig/connection.ts';
import { PIN_SIGNALS, shownWiringPath, type PinSignal } from './wiring.ts';
import type { EmulatedMeterParts } from './emulated-meter-parts.ts';
import { boardSpec } from './boards.ts';
import { AT24C32 } from '../models/eeprom/at24c32.ts';
import { DS1307 } from '../models/rtc/ds1307.ts';

export interface CheckLine { item: string; result: string; ok: boolean }
export interface AfeLinkBudget { frames: number; replies: number; badReplies: number; medianMs: number; p99Ms: number; maxMs: number; windowMs: number; withinWindow: number; urms: number | null }
export interface CheckReport { board: string; wiring: string; lines: CheckLine[]; afe: AfeLinkBudget | null }

/** The firmware's fixed wait after an AFE frame (SAM_UART.cpp), the window the reply must meet. */
export const AFE_WINDOW_MS = 10;

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export async function checkBoard(rig: RigConnection, opts: { frames?: number; parts?: EmulatedMeterParts | null; onLine?: (l: CheckLine) => void } = {}): Promise<CheckReport> {
  const lines: CheckLine[] = [];
  const add = (item: string, result: string, ok = true): void => { const l = { item, result, ok }; lines.push(l); opts.onLine?.(l); };
  const parts = opts.parts ?? null;
  const io = rig.io;
  const w = rig.wiring;
  const sleep = async (us: number): Promise<void> => { const t = rig.time.now() + us; await rig.waitFor(() => rig.time.now() >= t, us + 1000); };
  add('board', `${io.firmware.name ?? '?'} ${io.firmware.version?.major ?? '?'}.${io.firmware.version?.minor ?? '?'} on ${rig.description}, ${rig.caps.length} pins`);
  add('wiring', `${shownWiringPath(w.file)}: ${Object.keys(w.pins).length} pins${w.afe ? `, AFE on ${w.afe.portName} (${w.afe.rx}/${w.afe.tx}) at ${w.afe.baud} baud` : ''}${w.i2c ? `, I2C ${w.i2c.sda}/${w.i2c.scl}` : ''}; checked against the board's capability report`);

  const outputs: PinSignal[] = (['relaya', 'relayb', 'red_led', 'green_led', 'buzzer'] as PinSignal[]).filter((s) => rig.parts.has(PIN_SIGNALS[s].part) && w.pins[s]);
  for (const s of outputs) {
    const pin = w.pins[s].pin;
    io.digitalWrite(pin, 1);
    await sleep(s.startsWith('relay') ? 250_000 : 100_000);
    const seen = parts ? observed(s, parts) : 'toggled: look at the part';
    io.digitalWrite(pin, 0);
    await sleep(50_000);
    add(`output ${s} (pin ${pin}, meter ${PIN_SIGNALS[s].meterPin})`, `HIGH then LOW; ${seen}`);
  }
  if (rig.lcd) {
    rig.lcd.start();
    rig.lcd.intent.command(0x0c);
    rig.lcd.intent.command(0x80);
    for (const c of 'osm board check') rig.lcd.intent.write(c.charCodeAt(0));
    await rig.waitFor(() => !rig.lcd!.pending && rig.time.now() >= rig.linkBusyUntil(), 5_000_000);
    await sleep(100_000);
    const shown = parts ? `the display shows '${parts.lcd.visibleLines()[0].trimEnd()}'` : "the display should show 'osm board check'";
    add('lcd (6 pins, 4-bit)', `${rig.lcd.bytesSent} bytes sent; ${shown}`, !parts || parts.lcd.visibleLines()[0].startsWith('osm board check'));
    rig.lcd.stop();
  }
  if (rig.parts.has('cover')) {
    await rig.waitFor(() => rig.coverRaw >= 0, 1_000_000);
    const v = (rig.coverRaw / 1023) * boardSpec(w.board).adcVref;
    add(`input battery_input (pin ${w.pins.battery_input.pin})`, `ADC ${rig.coverRaw} = ${v.toFixed(3)} V: cover ${v < 0.089 ? 'OPEN (below 0.089 V)' : 'closed'}`, rig.coverRaw >= 0);
  }
  if (rig.keypad) {
    const rows = ['keypad_row1', 'keypad_row2', 'keypad_row3', 'keypad_row4'].map((s) => `${s}=${io.pins[w.pins[s].pin].value}`).join(' ');
    add('inputs keypad rows (all columns LOW)', `${rows}; keys held: ${rig.keypad.matrix.pressedKeys.join(' ') || 'none'}`);
  }
  if (rig.parts.has('rtc') || rig.parts.has('eeprom')) {
    try {
      await rig.loadI2cCopies();
      if (rig.rtc) {
        const rtc = rig.rtc.local as DS1307;
        add('rtc DS1307 at 0x68', `${new Date(rtc.unixtime() * 1000).toISOString().replace('.000Z', '')}${rtc.halted ? ' (clock halted: CH bit set)' : ''}`);
      }
      if (rig.eeprom) {
        const img = (rig.eeprom.local as AT24C32).image;
        const credit = new DataView(img.buffer, img.byteOffset).getUint32(9, true);
        add('eeprom AT24C32 at 0x50', `4096 bytes read; credit word at 9 = ${credit}${img.every((b) => b === 0xff) ? ' (virgin: all 0xFF)' : ''}`);
      }
    } catch (e) {
      add('i2c', (e as Error).message, false);
    }
  }
  let afe: AfeLinkBudget | null = null;
  if (rig.afe) afe = await measureAfe(rig, opts.frames ?? 100);
  if (afe) {
    add('afe ATM90E26 round trip', `${afe.replies}/${afe.frames} replies, median ${afe.medianMs.toFixed(2)} ms, p99 ${afe.p99Ms.toFixed(2)} ms, max ${afe.maxMs.toFixed(2)} ms; ` +
      `${afe.withinWindow}/${afe.frames} within the firmware's ${AFE_WINDOW_MS} ms window; Urms ${afe.urms === null ? '?' : `${afe.urms.toFixed(2)} V`}`,
    afe.replies === afe.frames && afe.badReplies === 0);
  }
  return { board: rig.description, wiring: w.file, lines, afe };
}

function observed(s: PinSignal, p: EmulatedMeterParts): string {
  switch (s) {
    case 'relaya': return `relay ${p.relay.isClosed ? 'closed' : 'open'} after the SET pulse`;
    case 'relayb': return `relay ${p.relay.isClosed ? 'closed' : 'open'} after the RESET pulse`;
    case 'red_led': return `red LED ${p.redLed.isOn ? 'lit' : 'dark'} while HIGH`;
    case 'green_led': return `green LED ${p.greenLed.isOn ? 'lit' : 'dark'} while HIGH`;
    case 'buzzer': return `buzzer ${p.buzzer.isOn ? 'sounding' : 'silent'} while HIGH`;
    default: return '';
  }
}

/**
 * Start the chip's measurement as the firmware's set-up does (AdjStart = 5678H, Ugain = 71D8H; the firmware writes
 * them again at its next boot), then `frames` reads of Urms, one at a time, each waited for up to 200 ms.
 */
export async function measureAfe(rig: RigConnection, frames: number): Promise<AfeLinkBudget> {
  const port = rig.afe!;
  port.begin(rig.wiring.afe!.baud);
  for (const [reg, v] of [[0x30, 0x5678], [0x31, 0x71d8]]) {
    port.write(Uint8Array.from([0xfe, reg, v >> 8, v & 0xff, (reg + (v >> 8) + (v & 0xff)) & 0xff]));
    await rig.waitFor(() => !port.awaitingReply, 200_000);
    while (port.available()) port.read();
  }
  const settle = rig.time.now() + 1_000_000; // one measurement window
  await rig.waitFor(() => rig.time.now() >= settle, 1_100_000);
  const start = port.roundTrips.length;
  let replies = 0;
  let bad = 0;
  let urms: number | null = null;
  for (let i = 0; i < frames; i++) {
    while (port.available()) port.read();
    port.write(Uint8Array.from([0xfe, 0xc9, 0xc9]));
    const ok = await rig.waitFor(() => !port.awaitingReply, 200_000);
    if (!ok) continue;
    replies++;
    const msb = port.read(); const lsb = port.read(); const sum = port.read();
    if (((msb + lsb) & 0xff) !== sum) bad++; else urms = ((msb << 8) | lsb) / 100;
    const gap = rig.time.now() + 2_000;
    await rig.waitFor(() => rig.time.now() >= gap, 10_000);
  }
  const rtt = port.roundTrips.slice(start).map((us) => us / 1000).sort((a, b) => a - b);
  return {
    frames, replies, badReplies: bad,
    medianMs: percentile(rtt, 50), p99Ms: percentile(rtt, 99), maxMs: rtt.at(-1) ?? NaN,
    windowMs: AFE_WINDOW_MS, withinWindow: rtt.filter((x) => x <= AFE_WINDOW_MS).length, urms,
  };
}
