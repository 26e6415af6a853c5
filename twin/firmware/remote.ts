// Web top-up over GPRS (remote.hpp; docs/firmware.md §9.2, §9.3): on every mode-1 loop pass with mains present
// and no keypad entry, `gsm_func()` re-attaches GPRS (D20), POSTs `api_key=…&meter=MT100` to
// paygotesting.000webhostapp.com/subscribe.php, parses `<amount>/<tariff>/` with byte-sized indices (D18), confirms a
// top-up with a second POST before crediting it (D19), and logs the readings on Serial2.
import type { FirmwareContext } from './firmware-context.ts';
import { toFloat, atol, toUint32 } from './lib/arduino.ts';
import { cfloat, credit_reminder, storeAndReloadCredit } from './credit.ts';
import { LOW, PINS } from '../board/board.ts';
import { mesure } from './measurement.ts';

export const APN = 'terminal';
export const APN_USER = '';
export const APN_PASS = '';
export const SERVER = 'paygotesting.000webhostapp.com';
export const RESOURCE = '/subscribe.php';
export const PORT = 80;
export const API_KEY_VALUE = 'tPmAT5Ab3j7F9';
export const STAT = 'sucess';

/** D20 fixed: attach GPRS only when the modem is not attached already. */
async function ensureGprs(fw: FirmwareContext): Promise<boolean> {
  if (!fw.has('D20') && (await fw.modem.isGprsConnected())) return true;
  return fw.modem.gprsConnect(APN, APN_USER, APN_PASS);
}

/** The request lines as `client.print` / `println` send them, one modem send each. */
async function sendPost(fw: FirmwareContext, httpRequestData: string): Promise<void> {
  const c = fw.client;
  await c.print('POST ' + RESOURCE + ' HTTP/1.1\r\n');
  await c.print('Host: ' + SERVER + '\r\n');
  await c.println('Connection: close');
  await c.println('Content-Type: application/x-www-form-urlencoded');
  await c.print('Content-Length: ');
  await c.println(String(httpRequestData.length));
  await c.println();
  await c.println(httpRequestData);
}

/**
 * `post_sucess()` (remote.hpp:39-74): tells the server the top-up was received. It sends even when the connect
 * failed. Returns whether the answer confirms (`sucess` in the body) — used only when D19 is fixed.
 */
export async function post_sucess(fw: FirmwareContext): Promise<boolean> {
  const s2 = fw.Serial2;
  s2.print('Connecting to APN: ');
  s2.print(APN);
  if (!(await ensureGprs(fw))) {
    s2.println(' fail');
  } else {
    s2.println(' OK');
    s2.print('Connecting to ');
    s2.print(SERVER);
  }
  if (!(await fw.client.connect(SERVER, PORT))) s2.println(' fail');
  else s2.println(' OK');

  s2.println('Performing HTTP POST request...');
  await sendPost(fw, 'api_key=' + API_KEY_VALUE + '&stat=' + STAT + '&meter=' + fw.state.meter);
  const fetched = await fw.http.responseBody();
  s2.println(fetched);
  await fw.http.stop();
  await fw.client.stop();
  s2.println('Server disconnected');
  return fetched.includes(STAT);
}

/** What one poll's body yields: the amount text and the tariff text (remote.hpp:105-120). */
export function parseTopupBody(body: string, fixed: boolean): { topup: number; tariff: number | null } {
  if (!fixed) {
    // `byte ind1 = readString.indexOf("/")`: -1 becomes 255, positions above 255 wrap.
    const ind1 = body.indexOf('/') & 0xff;
    const s_received_credit = body.substring(0, ind1);
    const ind2 = body.indexOf('/', ind1 + 1) & 0xff;
    const s_tariff = body.substring(ind1 + 1, ind2 + 1);
    return { topup: toFloat(s_received_credit), tariff: atol(s_tariff) >>> 0 };
  }
  // D18 fixed: only a well-formed `<amount>/<tariff>/` answer counts; anything else changes nothing.
  const m = /^\s*(\d+(?:\.\d+)?)?\/(\d+)\/\s*$/.exec(body);
  if (!m) return { topup: 0, tariff: null };
  const tariff = Number(m[2]);
  return { topup: m[1] ? toFloat(m[1]) : 0, tariff: tariff > 0 && tariff <= 0xffffffff ? tariff : null };
}

/** Credits a web top-up in EEPROM: write, read back (fraction lost, D30), add, write (remote.hpp:140-145). */
function creditTopup(fw: FirmwareContext): void {
  const s = fw.state;
  storeAndReloadCredit(fw);
  s.creditt = cfloat(fw, s.creditt + s.topup);
  fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
}

/** `gsm_func()` (remote.hpp:76-166). */
export async function gsm_func(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const s2 = fw.Serial2;
  s.lastGsmPollMs = fw.board.millis();
  // D19 fixed: a top-up credited earlier but not yet confirmed is confirmed before anything new is polled.
  if (!fw.has('D19') && s.pendingTopupAck && (await post_sucess(fw))) s.pendingTopupAck = false;

  s2.print('Connecting to APN: ');
  s2.print(APN);
  if (!(await ensureGprs(fw))) {
    s2.println(' fail');
  } else {
    s2.println(' OK');
    s2.print('Connecting to ');
    s2.print(SERVER);
  }
  if (!(await fw.client.connect(SERVER, PORT))) {
    s2.println(' fail');
  } else {
    s2.println(' OK');
    s2.println('Performing HTTP POST request...');
    await sendPost(fw, 'api_key=' + API_KEY_VALUE + '&meter=' + s.meter);

    const body = await fw.http.responseBody();
    const parsed = parseTopupBody(body, !fw.has('D18'));
    s2.println('topup:');
    s.topup = parsed.topup;
    s2.printlnFloat(s.topup);
    if (parsed.tariff !== null) s.tariff = parsed.tariff;
    await fw.http.stop();
    await fw.client.stop();
    s2.println('Server disconnected');

    if (s.topup > 0) {
      if (fw.has('D19')) {
        await post_sucess(fw); // the server zeroes the amount before the meter has stored it
        s.tp_fetch = 1;
        await showWebTopup(fw);
        creditTopup(fw);
        await fw.board.delay(1500);
        s.tp_fetch = 0;
      } else if (!s.pendingTopupAck) {
        // D19 fixed: store first, then confirm; an unconfirmed top-up is not credited a second time.
        s.tp_fetch = 1;
        creditTopup(fw);
        s.pendingTopupAck = true;
        if (await post_sucess(fw)) s.pendingTopupAck = false;
        await showWebTopup(fw);
        await fw.board.delay(1500);
        s.tp_fetch = 0;
      }
    }
    s.topup = 0;
  }

  s2.print('POWER FACTOR : ');
  s2.printlnFloat(s.powerFactor);
  s2.print('FREQUENCY : ');
  s2.printlnFloat(s.freq);
  s2.print('MAINS VOLTAGE : ');
  s2.printlnFloat(s.mains_input_value);
  s2.print('CURRENT  : ');
  s2.printlnFloat(s.curr);
  s2.print('ACTIVE POWER : ');
  s2.printlnFloat(s.true_power);
  s2.print('ENERGY : ');
  s2.printlnFloat(s.ENERGY);
  s2.print('CREDIT : ');
  s2.printlnFloat(s.creditt);
}

/** ` TOKEN RECEIVED ` / `     VIA WEB    ` for 1.5 s, then ` TOPUP CASH :   ` and the amount. */
async function showWebTopup(fw: FirmwareContext): Promise<void> {
  const lcd = fw.lcd;
  lcd.setCursor(0, 0);
  lcd.print(' TOKEN RECEIVED ');
  lcd.setCursor(0, 1);
  lcd.print('     VIA WEB    ');
  await fw.board.delay(1500);
  lcd.setCursor(0, 1);
  lcd.print('                ');
  lcd.setCursor(0, 0);
  lcd.print(' TOPUP CASH :   ');
  lcd.setCursor(0, 1);
  lcd.printFloat(fw.state.topup);
}

/**
 * D21 fixed: what the meter keeps doing while the modem library waits (installed as `modem.onIdle` once setup is
 * done): a fresh measurement, so billing uses the present load, and the relay/LED rules.
 */
export async function serviceMeterDuringModemWait(fw: FirmwareContext): Promise<void> {
  await mesure(fw);
  if (fw.state.mains_input_value > 50) await credit_reminder(fw);
  if (fw.state.mains_input_value < 50) {
    fw.board.digitalWrite(PINS.redLed, LOW);
    fw.board.digitalWrite(PINS.greenLed, LOW);
  }
}

