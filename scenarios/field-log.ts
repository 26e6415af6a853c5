// A meter's debug-port log (Serial2, 115200 baud): reading it, writing it, and the grid/load timeline it implies.
//
// Format: one line per line the firmware printed, with the time it was received in front, as serial loggers write
// it (grabserial, `minicom -O timestamp`, dmesg style): `[   12.345678] MAINS VOLTAGE : 230.00`, seconds since the
// capture started. `osm run --debug-log FILE` writes the twin's debug port in this format.
//
// What the log says about the world: every main-loop pass with mains present ends with the readings block
// (POWER FACTOR, FREQUENCY, MAINS VOLTAGE, CURRENT, ACTIVE POWER, ENERGY, CREDIT). The readings were measured at the
// start of that pass, right after the previous block was printed, so the load and supply of block k held from the end
// of block k-1. A `Device Powered!` line after the first marks a power cut (after the last line before it) and the
// restore. Everything else in the catalogue (boot, AFE, GSM, ThingsBoard lines) is compared but implies nothing.

export interface LogLine {
  /** 1-based line number in the file. */
  lineNo: number;
  /** Seconds since the capture started. */
  t: number;
  text: string;
}

export interface Reading {
  /** Time of the CREDIT line that closes the block. */
  t: number;
  lineNo: number;
  pf: number; hz: number; vrms: number; amps: number; watts: number; kwh: number; credit: number;
}

export interface LogProblem { lineNo: number; kind: 'garbage' | 'untimed' | 'gap' | 'backwards'; message: string }

export interface ParsedLog {
  lines: LogLine[];
  readings: Reading[];
  /** Times of `Device Powered!` lines (the first is the start). */
  powerOns: number[];
  problems: LogProblem[];
  /** The ATI text of `Modem: ...` (empty when the modem did not answer). */
  modemInfo: string | null;
  /** Silences longer than the gap limit: the capture missed what the meter printed between `from` and `to`. */
  gaps: { from: number; to: number }[];
}

/** Every text the firmware prints on the debug port, with the value part where there is one. */
const CATALOGUE: RegExp[] = [
  /^Device Powered! $/, /^Setting up LCD\.\.\. $/, /^LCD Setup complete! $/, /^Initializing modem\.\.\.$/, /^Modem: .*$/,
  /^Setting up AFE\.\.\. $/, /^AFE Setup Complete! $/, /^Setup Complete! $/, /^$/,
  /^Write failed$/, /^Read failed$/, /^Checksum [12]:[0-9A-F]+$/, /^Checksum [12] Error!!$/,
  /^Connecting to APN: terminal( OK| fail)?$/, /^Connecting to paygotesting\.000webhostapp\.com( OK| fail)?$/, /^ ?(OK|fail)$/,
  /^Performing HTTP POST request\.\.\.$/, /^topup:$/, /^-?\d+\.\d\d$/, /^(ovf|inf|nan)$/, /^Server disconnected$/,
  /^POWER FACTOR : .*$/, /^FREQUENCY : .*$/, /^MAINS VOLTAGE : .*$/, /^CURRENT {2}: .*$/, /^ACTIVE POWER : .*$/,
  /^ENERGY : .*$/, /^CREDIT : .*$/,
  /^Waiting for network\.\.\.( OK| fail)?$/, /^Connecting to terminal( OK| fail)?$/,
  /^Connecting to: demo\.thingsboard\.io with token \S+$/, /^Failed to connect$/, /^Sending data\.\.\.$/,
  /^(\d+(\.\d*)?)?\/\d*\/?(sucess)?$/, /^Database Error$/,
  // On the debug port only when its printf port is (D39 fixed): the boot mode's welcome, the RTC and EEPROM faults,
  // the reboot count.
  /^Welcome to the (STS|OpenPaygo) (Energy|Time)-based$/, /^RTC is NOT running!$/, /^Couldn't find RTC$/,
  /^Disconnection spotted!!$/, /^EEPROM not responding$/,
];

const STAMP = /^\[\s*(\d+(?:\.\d+)?)\]\s?(.*)$/;

/** Lines the catalogue knows; a post_sucess answer body (any text the server sent) is accepted after its POST. */
export function isCatalogued(text: string, afterPost: boolean): boolean {
  if (/[\x00-\x08\x0b-\x1f\x7f-\uffff]/.test(text)) return false;
  if (CATALOGUE.some((r) => r.test(text))) return true;
  return afterPost; // the server's answer to the success POST is printed as it came
}

/** Read a timestamped debug log. `gapS`: a silence longer than this is reported as a gap. */
export function parseDebugLog(text: string, gapS = 600): ParsedLog {
  const lines: LogLine[] = [];
  const problems: LogProblem[] = [];
  const raw = text.split('\n');
  if (raw.length && raw[raw.length - 1] === '') raw.pop();
  let lastT: number | null = null;
  let afterPost = false;
  let modemInfo: string | null = null;
  const gaps: { from: number; to: number }[] = [];
  raw.forEach((r, i) => {
    const lineNo = i + 1;
    const line = r.replace(/\r$/, '');
    const m = STAMP.exec(line);
    if (!m) {
      problems.push({ lineNo, kind: 'untimed', message: `line ${lineNo} has no [seconds] time stamp; skipped: ${preview(line)}` });
      return;
    }
    const t = Number(m[1]);
    const body = m[2];
    if (lastT !== null && t < lastT) {
      problems.push({ lineNo, kind: 'backwards', message: `line ${lineNo}: time goes backwards (${t} s after ${lastT} s); skipped` });
      return;
    }
    if (!isCatalogued(body, afterPost)) {
      problems.push({ lineNo, kind: 'garbage', message: `line ${lineNo} at ${t} s is not something the firmware prints; skipped: ${preview(body)}` });
      return;
    }
    if (lastT !== null && t - lastT > gapS) {
      problems.push({ lineNo, kind: 'gap', message: `gap of ${(t - lastT).toFixed(1)} s before line ${lineNo} (nothing logged from ${lastT} s to ${t} s); the twin keeps the last known load through it and its lines there are not compared` });
      gaps.push({ from: lastT, to: t });
    }
    afterPost = body === 'Performing HTTP POST request...' || (afterPost && body !== 'Server disconnected' && !/^topup:$/.test(body));
    if (body.startsWith('Modem: ')) modemInfo = body.slice(7);
    lastT = t;
    lines.push({ lineNo, t, text: body });
  });
  return { lines, readings: readings(lines), powerOns: lines.filter((l) => l.text === 'Device Powered! ').map((l) => l.t), problems, modemInfo, gaps };
}

function readings(lines: LogLine[]): Reading[] {
  const out: Reading[] = [];
  const keys = ['POWER FACTOR : ', 'FREQUENCY : ', 'MAINS VOLTAGE : ', 'CURRENT  : ', 'ACTIVE POWER : ', 'ENERGY : ', 'CREDIT : '];
  for (let i = 0; i + keys.length <= lines.length; i++) {
    if (!lines[i].text.startsWith(keys[0])) continue;
    const vals: number[] = [];
    let ok = true;
    for (let k = 0; k < keys.length; k++) {
      const l = lines[i + k].text;
      if (!l.startsWith(keys[k])) { ok = false; break; }
      const v = Number(l.slice(keys[k].length));
      vals.push(Number.isFinite(v) ? v : NaN);
    }
    if (!ok) continue;
    const last = lines[i + keys.length - 1];
    out.push({ t: last.t, lineNo: last.lineNo, pf: vals[0], hz: vals[1], vrms: vals[2], amps: vals[3], watts: vals[4], kwh: vals[5], credit: vals[6] });
    i += keys.length - 1;
  }
  return out;
}

function preview(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
}

/** One line of a debug log as `osm run --debug-log` writes it. */
export function formatLogLine(tUs: number, text: string): string {
  return `[${(tUs / 1e6).toFixed(6).padStart(13)}] ${text}`;
}

/** A change of the world the log implies, at `t` seconds. */
export type TimelineEvent =
  | { t: number; kind: 'supply'; vrms: number; hz: number; watts: number; pf: number; amps: number; from: number }
  | { t: number; kind: 'power'; on: boolean; from: number }
  /** The backend's pending top-up as the poll answered it (`topup:` and its value), set as the poll's POST starts. */
  | { t: number; kind: 'pending'; amount: number; from: number };

/** The grid/load timeline: each reading's supply and load from the end of the block before it. */
export function timeline(log: ParsedLog): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const powerOns = log.powerOns.slice(1);
  let prevEnd = 0;
  let pi = 0;
  for (const r of log.readings) {
    // A restart between the previous block and this one: cut right after the last line before the restart.
    while (pi < powerOns.length && powerOns[pi] <= r.t) {
      const on = powerOns[pi];
      const before = log.lines.filter((l) => l.t < on).pop();
      out.push({ t: before ? before.t : on, kind: 'power', on: false, from: before?.lineNo ?? 0 });
      out.push({ t: on, kind: 'power', on: true, from: before?.lineNo ?? 0 });
      prevEnd = on;
      pi++;
    }
    out.push({ t: prevEnd, kind: 'supply', vrms: r.vrms, hz: r.hz, watts: r.watts, pf: r.pf, amps: r.amps, from: r.lineNo });
    prevEnd = r.t;
  }
  // Restarts after the last readings block.
  for (; pi < powerOns.length; pi++) {
    const on = powerOns[pi];
    const before = log.lines.filter((l) => l.t < on).pop();
    out.push({ t: before ? before.t : on, kind: 'power', on: false, from: before?.lineNo ?? 0 });
    out.push({ t: on, kind: 'power', on: true, from: before?.lineNo ?? 0 });
  }
  const lines = log.lines;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i].text !== 'topup:') continue;
    const amount = Number(lines[i + 1].text);
    if (!Number.isFinite(amount) || amount < 0) continue;
    let j = i - 1;
    while (j >= 0 && lines[j].text !== 'Performing HTTP POST request...') j--;
    if (j >= 0) out.push({ t: lines[j].t, kind: 'pending', amount, from: lines[i].lineNo });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/**
 * The credit the meter most likely had in EEPROM when the log starts, from its first CREDIT line: rounded up (the
 * meter only bills between its start and that line, well under 1 in one pass), less the web top-ups the log shows
 * credited before it (`topup:` values above 0). Crediting a top-up stores the credit as a whole number first
 * (firmware.md, web top-ups), so a meter that billed before the top-up lost the fraction: `billsBeforeTopup` adds
 * that 1 back.
 */
export function estimateStartCredit(log: ParsedLog, billsBeforeTopup: (watts: number) => boolean): { credit: number; topups: number; first: number | null } {
  const first = log.readings[0];
  if (!first) return { credit: 0, topups: 0, first: null };
  const lines = log.lines;
  let topups = 0;
  for (let i = 0; i + 1 < lines.length && lines[i + 1].t <= first.t; i++) {
    if (lines[i].text !== 'topup:') continue;
    const amount = Number(lines[i + 1].text);
    if (Number.isFinite(amount) && amount > 0) topups += amount;
  }
  let credit = Math.ceil(first.credit - topups);
  if (topups > 0 && billsBeforeTopup(first.watts)) credit += 1;
  return { credit: Math.max(0, Math.min(4294967295, credit)), topups, first: first.credit };
}

