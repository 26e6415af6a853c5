// The field log (docs/firmware.md §9.6): the debug port (Serial2) carries exactly these strings, at these
// moments, so a log from a meter and a log from the twin compare line by line. The boot strings are in
// boot.test.ts, the AFE read/write failures in afe-driver.test.ts; here: a web poll with and without a top-up, the
// AFE checksum errors, the ThingsBoard post, and what goes to the modem line instead (D39).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SET_register_values_port } from '../../test/support/afe-responder.ts';
import { DateTime } from './lib/rtclib.ts';
import { createBench, createUnit } from '../../test/support/firmware-bench.ts';

const AFTER_BOOT = 'Setup Complete! \n\r\n';
const READINGS = /^POWER FACTOR : 1\.00\r\nFREQUENCY : 50\.00\r\nMAINS VOLTAGE : 239\.\d\d\r\nCURRENT  : 4\.9\d\r\nACTIVE POWER : 1\d{3}\.\d\d\r\nENERGY : 0\.\d\d\r\nCREDIT : (\d+\.\d\d)\r\n/;

function firstPoll(text: string): string {
  const i = text.indexOf(AFTER_BOOT);
  assert.ok(i > 0, 'the boot did not finish');
  return text.slice(i + AFTER_BOOT.length);
}

test('a web poll that finds a top-up: APN OK, server OK, POST, topup: 500.00, the success POST, then the readings', async () => {
  const b = createBench({
    credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }],
    modem: { server: (body) => (body.includes('stat=sucess') ? '500/70/sucess' : '500/70/') },
  });
  await b.runUntilMs(60_000);
  const log = firstPoll(b.uarts.debug.text);
  const head = 'Connecting to APN: terminal OK\r\n' +
    'Connecting to paygotesting.000webhostapp.com OK\r\n' +
    'Performing HTTP POST request...\r\n' +
    'topup:\r\n500.00\r\n' +
    'Server disconnected\r\n' +
    // post_sucess(): another full connection, the POST, the server's answer as one line
    'Connecting to APN: terminal OK\r\n' +
    'Connecting to paygotesting.000webhostapp.com OK\r\n' +
    'Performing HTTP POST request...\r\n' +
    '500/70/sucess\r\n' +
    'Server disconnected\r\n';
  assert.is(log.slice(0, head.length), head);
  const m = READINGS.exec(log.slice(head.length));
  assert.ok(m, log.slice(head.length, head.length + 200));
  // the readings come after the top-up was credited
  assert.ok(Number(m![1]) > 990 && Number(m![1]) <= 1000, m![1]);
});

test('a web poll with the server unreachable: server fail, no POST, then the readings', async () => {
  const b = createBench({ credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }], modem: { tcp: false } });
  await b.runUntilMs(60_000);
  const log = firstPoll(b.uarts.debug.text);
  const head = 'Connecting to APN: terminal OK\r\nConnecting to paygotesting.000webhostapp.com fail\r\n';
  assert.is(log.slice(0, head.length), head);
  assert.match(log.slice(head.length), READINGS);
  assert.not.match(log, /Performing HTTP POST/);
});

test('the daily ThingsBoard post at 23:00 (no broker, D22 fixed): network OK, terminal OK, the server and token, Failed to connect', async () => {
  const b = createBench({ credit: 500, loads: [], modem: {}, clock: new DateTime(2026, 3, 1, 22, 59, 30), nvramInit: 1, fix: ['D22'] });
  await b.runUntilMs(300_000);
  assert.match(b.uarts.debug.text, /\r\nWaiting for network\.\.\. OK\r\nConnecting to terminal OK\r\nConnecting to: demo\.thingsboard\.io with token 5GBw6kqNCN93BN3nuuvJ\r\nFailed to connect\r\n/);
});

test('AFE checksum errors: SysStatus bits 0xC000 and 0x3000 print Checksum 1 Error!! and Checksum 2 Error!!', async () => {
  const u = createUnit();
  const text = await SET_register_values_port(u, 0xf000);
  assert.match(text, /\r\nChecksum 1 Error!!\r\nChecksum 2 Error!!\r\n$/);
  const clean = await SET_register_values_port(createUnit(), 0x0000);
  assert.not.match(clean, /Error!!/);
});

test('D39: the printf texts go to the modem line, never to the field log (mode 1 welcome, disconnection count)', async () => {
  const b = createBench({ credit: 500, loads: [], nvramInit: 1 });
  await b.runUntilMs(30_000);
  assert.ok(b.uarts.modem.text.includes('Disconnection spotted!!\r\n'));
  assert.ok(b.uarts.modem.text.includes('Welcome to the STS Energy-based\n'));
  assert.not.match(b.uarts.debug.text, /Welcome|Disconnection/);
});

test('D39 fixed: the same texts are in the field log', async () => {
  const b = createBench({ credit: 500, loads: [], nvramInit: 1, fix: ['D39'] });
  await b.runUntilMs(30_000);
  assert.ok(b.uarts.debug.text.includes('Disconnection spotted!!\r\n'));
  assert.ok(b.uarts.debug.text.includes('Welcome to the STS Energy-based\n'));
});

test.run();
