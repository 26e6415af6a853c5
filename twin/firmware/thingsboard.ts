// Daily telemetry to ThingsBoard (thingsboard.hpp; docs/firmware.md §9.5), called from `get_time()` on the first
// loop pass in hour 23. As shipped, `reconnect()` retries forever, 5 s apart (D22): with no MQTT broker reachable the
// main loop never comes back (the timer interrupt keeps billing the last measured power). The first call also waits
// for the network and attaches GPRS, printing ` OK` even after a failure and never trying again (D23).
import type { FirmwareContext } from './firmware-context.ts';
import { APN, APN_PASS, APN_USER } from './remote.ts';

export const THINGSBOARD_SERVER = 'demo.thingsboard.io';
/** The access token of the shipped build (each unit of a fleet is built with its own: `fw.opts.accessToken`). */
export const TOKEN = '5GBw6kqNCN93BN3nuuvJ';

/** `reconnect()` (thingsboard.hpp:19-32). Returns false only when D22 is fixed and the attempts ran out. */
export async function reconnect(fw: FirmwareContext): Promise<boolean> {
  let attempts = 0;
  while (!(await fw.tb.connected())) {
    if (await fw.tb.connect(THINGSBOARD_SERVER, fw.opts.accessToken)) {
      await fw.tb.RPC_Subscribe(); // "subscribe without callbacks"
      fw.lcd.setCursor(0, 0);
      fw.lcd.print('  reconnected   ');
    } else {
      await fw.board.delay(5000);
      attempts++;
      if (!fw.has('D22') && attempts >= fw.opts.tbConnectAttempts) return false;
    }
  }
  return true;
}

/** `post_to_thingsboard()` (thingsboard.hpp:34-71). */
export async function post_to_thingsboard(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const s2 = fw.Serial2;
  const d23 = fw.has('D23');
  await fw.board.delay(1000);
  if (!s.modemConnected) {
    s2.print('Waiting for network...');
    if (!(await fw.modem.waitForNetwork())) {
      s2.println(' fail');
      await fw.board.delay(10000);
      if (!d23) return; // D23 fixed: no " OK" after a failure, and the network is waited for again next time
    }
    s2.println(' OK');
    s2.print('Connecting to ');
    s2.print(APN);
    if (!(await fw.modem.gprsConnect(APN, APN_USER, APN_PASS))) {
      s2.println(' fail');
      await fw.board.delay(10000);
      if (!d23) return;
    }
    s.modemConnected = true;
    s2.println(' OK');
  }

  if (!(await fw.tb.connected())) {
    const ok = await reconnect(fw);
    s2.print('Connecting to: ');
    s2.print(THINGSBOARD_SERVER);
    s2.print(' with token ');
    s2.println(fw.opts.accessToken);
    if (!ok) {
      // D22 fixed: give up for today instead of looping for ever.
      s2.println('Failed to connect');
      return;
    }
    if (!(await fw.tb.connect(THINGSBOARD_SERVER, fw.opts.accessToken))) s2.println('Failed to connect');
  }

  s2.println('Sending data...');
  await fw.tb.sendTelemetryFloat('energy', s.ENERGY);
  await fw.tb.sendTelemetryFloat('credit', s.creditt);
  await fw.tb.loop();
}
