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
  /** The first line after a gap (a silence longer than the gap limit). */
  gapStart?: true;
}

export interface Reading {
  /** Time of the CREDIT line that closes the block. */
  t: number;
  lineNo: number;
  pf: number; hz: number; vrms: number; amps: number; watts: number; kwh: number; credit: number;
}

export interface LogProblem { lineNo: number; kind: 'garbage' | 'untimed' | 'gap' | 'backwards' | 'trimmed'; message: string }

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

/** What a DebugLogReader tells as it reads; every callback is optional. */
export interface LogReaderSink {
  /** A line the firmware printed, in order. */
  line?(l: LogLine): void;
  /** A readings block, right after `line` gave its CREDIT line. */
  reading?(r: Reading): void;
  problem?(p: LogProblem): void;
}

/** Longest line kept: the firmware's lines are under 100 characters; a longer one (no line feed in a binary capture, `/dev/zero`) is garbage. */
export const MAX_LINE_CHARS = 64 * 1024;

const BLOCK_KEYS = ['POWER FACTOR : ', 'FREQUENCY : ', 'MAINS VOLTAGE : ', 'CURRENT  : ', 'ACTIVE POWER : ', 'ENERGY : ', 'CREDIT : '];

/**
 * A timestamped debug log read one line at a time, keeping only what the next line needs (the time of the last
 * line, whether a POST answer may follow, the readings block being read): a log of any length takes the same memory.
 */
export class DebugLogReader {
  #lineNo = 0;
  #lastT: number | null = null;
  #afterPost = false;
  #trimmedSaid = false;
  #block: LogLine[] = [];
  /** The ATI text of the last `Modem: ...` line so far (null: none). */
  modemInfo: string | null = null;
  /** Lines the firmware printed so far. */
  lines = 0;

  /** `gapS`: a silence longer than this is reported as a gap. */
  constructor(private readonly gapS: number, private readonly sink: LogReaderSink) {}

  /** Seconds of the last line read (null: none yet). */
  get lastT(): number | null { return this.#lastT; }

  /** One line of the file, without its line feed; `tooLong`: the line went on beyond MAX_LINE_CHARS (cut there). */
  push(r: string, tooLong = false): void {
    const lineNo = ++this.#lineNo;
    const problem = (kind: LogProblem['kind'], message: string): void => this.sink.problem?.({ lineNo, kind, message });
    if (tooLong) {
      problem('garbage', `line ${lineNo} is longer than ${MAX_LINE_CHARS / 1024} KiB, not something the firmware prints; skipped: ${preview(r)}`);
      return;
    }
    const line = r.replace(/\r$/, '');
    const m = STAMP.exec(line);
    if (!m) {
      problem('untimed', `line ${lineNo} has no [seconds] time stamp; skipped: ${preview(line)}`);
      return;
    }
    const t = Number(m[1]);
    let body = m[2];
    // The boot lines end in a space (`Device Powered! `); a logger or an editor that trims lines drops it. Put back,
    // the line is the firmware's again (no catalogued line is another one without its last space), said once.
    if (!body.endsWith(' ') && !isCatalogued(body, this.#afterPost) && isCatalogued(`${body} `, false)) {
      if (!this.#trimmedSaid) {
        problem('trimmed', `line ${lineNo}: '${body}' has lost the space the firmware prints at its end (a capture or an editor that trims lines); put back here and on every such line`);
        this.#trimmedSaid = true;
      }
      body += ' ';
    }
    const lastT = this.#lastT;
    if (lastT !== null && t < lastT) {
      problem('backwards', `line ${lineNo}: time goes backwards (${t} s after ${lastT} s); skipped`);
      return;
    }
    if (!isCatalogued(body, this.#afterPost)) {
      problem('garbage', `line ${lineNo} at ${t} s is not something the firmware prints; skipped: ${preview(body)}`);
      return;
    }
    const gap = lastT !== null && t - lastT > this.gapS;
    if (gap) {
      problem('gap', `gap of ${(t - lastT).toFixed(1)} s before line ${lineNo} (nothing logged from ${lastT} s to ${t} s); the twin keeps the last known load through it and its lines there are not compared`);
    }
    this.#afterPost = body === 'Performing HTTP POST request...' || (this.#afterPost && body !== 'Server disconnected' && !/^topup:$/.test(body));
    if (body.startsWith('Modem: ')) this.modemInfo = body.slice(7);
    this.#lastT = t;
    this.lines++;
    const l: LogLine = gap ? { lineNo, t, text: body, gapStart: true } : { lineNo, t, text: body };
    this.sink.line?.(l);
    this.#readBlock(l);
  }

  /** The readings block: BLOCK_KEYS on consecutive lines; a line that breaks one may start the next. */
  #readBlock(l: LogLine): void {
    const b = this.#block;
    if (b.length > 0 && !l.text.startsWith(BLOCK_KEYS[b.length])) b.length = 0;
    if (b.length === 0 && !l.text.startsWith(BLOCK_KEYS[0])) return;
    b.push(l);
    if (b.length < BLOCK_KEYS.length) return;
    const v = b.map((x, k) => {
      const n = Number(x.text.slice(BLOCK_KEYS[k].length));
      return Number.isFinite(n) ? n : NaN;
    });
    b.length = 0;
    this.sink.reading?.({ t: l.t, lineNo: l.lineNo, pf: v[0], hz: v[1], vrms: v[2], amps: v[3], watts: v[4], kwh: v[5], credit: v[6] });
  }
}

/** Read a timestamped debug log held whole in memory (a test's, a short capture's). `gapS`: a silence longer than this is reported as a gap. */
export function parseDebugLog(text: string, gapS = 600): ParsedLog {
  const out: ParsedLog = { lines: [], readings: [], powerOns: [], problems: [], modemInfo: null, gaps: [] };
  let lastT = 0;
  const reader = new DebugLogReader(gapS, {
    line: (l) => {
      if (l.gapStart) out.gaps.push({ from: lastT, to: l.t });
      if (l.text === 'Device Powered! ') out.powerOns.push(l.t);
      lastT = l.t;
      out.lines.push(l);
    },
    reading: (r) => out.readings.push(r),
    problem: (p) => out.problems.push(p),
  });
  for (const r of splitLines(text)) reader.push(r);
  out.modemInfo = reader.modemInfo;
  return out;
}

/** The lines of a text: split at line feeds, a last empty piece (after the final line feed) is no line. */
export function splitLines(text: string): string[] {
  const raw = text.split('\n');
  if (raw.length && raw[raw.length - 1] === '') raw.pop();
  return raw;
}

function preview(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
}

/** One line of a debug log as `osm run --debug-log` writes it. */
export function formatLogLine(tUs: number, text: string): string {
  return `[${(tUs / 1e6).toFixed(6).padStart(13)}] ${text}`;
}

/**
 * The credit the meter most likely had in EEPROM when the log starts, from its first CREDIT line: rounded up (the
 * meter only bills between its start and that line, well under 1 in one pass), less the web top-ups the log shows
 * credited before it (`topup:` values above 0). Crediting a top-up stores the credit as a whole number first
 * (firmware.md, web top-ups), so a meter that billed before the top-up lost the fraction: `billsBeforeTopup` adds
 * that 1 back. Fed the log's lines and readings as they are read; `done` once a line after the first CREDIT line's
 * time has been seen (the lines of that same time still count).
 */
export class StartCredit {
  #first: Reading | null = null;
  #prev: LogLine | null = null;
  #topups = 0;
  done = false;

  line(l: LogLine): void {
    if (this.done) return;
    if (this.#first !== null && l.t > this.#first.t) { this.done = true; return; }
    if (this.#prev?.text === 'topup:') {
      const amount = Number(l.text);
      if (Number.isFinite(amount) && amount > 0) this.#topups += amount;
    }
    this.#prev = l;
  }

  reading(r: Reading): void { this.#first ??= r; }

  /** The first readings block (null: none yet). */
  get first(): Reading | null { return this.#first; }

  estimate(billsBeforeTopup: (watts: number) => boolean): { credit: number; topups: number; first: number | null } {
    const first = this.#first;
    if (!first) return { credit: 0, topups: 0, first: null };
    const topups = this.#topups;
    let credit = Math.ceil(first.credit - topups);
    if (topups > 0 && billsBeforeTopup(first.watts)) credit += 1;
    return { credit: Math.max(0, Math.min(4294967295, credit)), topups, first: first.credit };
  }
}
