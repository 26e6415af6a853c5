import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gsm_func, parseTopupBody } from './remote.ts';
import { post_to_thingsboard } from './thingsboard.ts';
import { createUnit, type ScriptedSim800Options, type Unit, type UnitOptions } from '../../test/support/firmware-bench.ts';

function unit(o: UnitOptions = {}, modem?: ScriptedSim800Options) {
  const u = createUnit({ ...o, modem });
  return { u, sim: u.sim };
}

/** Runs `fn` as the main task; returns its result and how long it took, in seconds of virtual time. */
async function timed<T>(u: Unit, fn: () => Promise<T>, limitS = 1000): Promise<{ value: T; seconds: number }> {
  let value: T | undefined;
  let end = -1;
  const start = u.cpu.nowUs();
  const done = u.clock.spawn('task', async () => { value = await fn(); end = u.clock.now(); });
  await u.clock.runFor(limitS * 1e6, () => end >= 0);
  await done;
  return { value: value as T, seconds: (end - start) / 1e6 };
}

test('with a mute modem restart() gives up after the 10 s testAT', async () => {
  const { u } = unit();
  const r = await timed(u, () => u.fw.modem.restart());
  assert.is(r.value, false);
  assert.ok(r.seconds >= 10 && r.seconds < 10.5, String(r.seconds));
  assert.ok(u.uarts.modem.text.startsWith('AT\r\nAT\r\n'));
});

test('with a mute modem getModemInfo() returns "" after 1 s', async () => {
  const { u } = unit();
  const r = await timed(u, () => u.fw.modem.getModemInfo());
  assert.is(r.value, '');
  assert.ok(Math.abs(r.seconds - 1) < 0.1, String(r.seconds));
});

test('with a mute modem gprsConnect() takes about 238 s (§9.4)', async () => {
  const { u } = unit();
  const r = await timed(u, () => u.fw.modem.gprsConnect('terminal', '', ''));
  assert.is(r.value, false);
  assert.ok(r.seconds > 237 && r.seconds < 240, String(r.seconds));
});

test('with a mute modem client.connect() takes about 77 s (§9.4)', async () => {
  const { u } = unit();
  const r = await timed(u, () => u.fw.client.connect('paygotesting.000webhostapp.com', 80));
  assert.is(r.value, 0);
  assert.ok(r.seconds > 76.5 && r.seconds < 78, String(r.seconds));
  assert.ok(u.uarts.modem.text.includes('AT+CIPSTART=0,"TCP","paygotesting.000webhostapp.com",80\r\n'));
});

test('a SIM800 that answers makes restart() succeed in a few seconds and ATI gives its name', async () => {
  const { u } = unit({}, {});
  const r = await timed(u, () => u.fw.modem.restart());
  assert.is(r.value, true);
  assert.ok(r.seconds < 5, String(r.seconds));
  const info = await timed(u, () => u.fw.modem.getModemInfo());
  assert.is(info.value, 'SIM800 R14.18');
});

test('gprsConnect() sends the SIM800 bearer sequence and succeeds against a network that answers OK', async () => {
  const { u, sim } = unit({}, {});
  const r = await timed(u, () => u.fw.modem.gprsConnect('terminal', '', ''));
  assert.is(r.value, true);
  assert.equal(sim!.commands.slice(0, 6), ['AT+CIPSHUT', 'AT+CGATT=0', 'AT+SAPBR=3,1,"Contype","GPRS"',
    'AT+SAPBR=3,1,"APN","terminal"', 'AT+CGDCONT=1,"IP","terminal"', 'AT+CGACT=1,1']);
});

test('gsm_func POSTs to /subscribe.php and credits a 500/70/ answer, then sets tariff 70', async () => {
  let confirmed = false;
  const { u, sim } = unit({}, {
    server: (body) => {
      if (body.includes('stat=sucess')) { confirmed = true; return '500/70/sucess'; }
      return confirmed ? '0/70/' : '500/70/';
    },
  });
  u.s.creditt = 10;
  await timed(u, () => gsm_func(u.fw), 600);
  assert.ok(sim!.requests[0].startsWith('POST /subscribe.php HTTP/1.1\r\nHost: paygotesting.000webhostapp.com\r\n'));
  assert.ok(sim!.requests[0].endsWith('Content-Length: 33\r\n\r\napi_key=tPmAT5Ab3j7F9&meter=MT100\r\n'));
  assert.ok(confirmed);
  assert.is(u.s.creditt, 510);
  assert.is(u.s.tariff, 70);
  assert.ok(u.uarts.debug.text.includes('topup:\r\n500.00\r\nServer disconnected\r\n'));
  assert.ok(u.uarts.debug.text.endsWith('ENERGY : 0.00\r\nCREDIT : 510.00\r\n'));
});

/** One poll that receives a web top-up of 500 (confirmed), starting from credit 10.5. */
async function topupOnFractionalCredit(fix: UnitOptions['fix']): Promise<Unit> {
  let confirmed = false;
  const { u } = unit({ fix }, {
    server: (body) => {
      if (body.includes('stat=sucess')) { confirmed = true; return '500/70/sucess'; }
      return confirmed ? '0/70/' : '500/70/';
    },
  });
  u.s.creditt = 10.5;
  await timed(u, () => gsm_func(u.fw), 600);
  return u;
}

test('D30: a web top-up of 500 on credit 10.5 gives 510 (the fraction is lost)', async () => {
  const u = await topupOnFractionalCredit([]);
  assert.is(u.s.creditt, 510);
});

test('D30 fixed: a web top-up of 500 on credit 10.5 gives 510.5 (the fraction is kept)', async () => {
  const u = await topupOnFractionalCredit(['D30']);
  assert.is(u.s.creditt, 510.5);
  assert.is(u.eepromLong(9), 510);
});

test('D18: an empty answer (wrong api_key) sets the tariff to 0: free energy', async () => {
  const { u } = unit({}, { server: () => '' });
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(u.s.tariff, 0);
});

test('D18 fixed: an empty answer leaves the tariff as it was', async () => {
  const { u } = unit({ fix: ['D18'] }, { server: () => '' });
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(u.s.tariff, 1);
});

test('D19: when the success POST is not confirmed, the same top-up is credited again at the next poll', async () => {
  const { u } = unit({}, { server: (body) => (body.includes('stat=') ? 'Database Error' : '500/70/') });
  await timed(u, () => gsm_func(u.fw), 600);
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(u.s.creditt, 1000);
});

test('D19 fixed: an unconfirmed top-up is credited once and confirmed before the next poll', async () => {
  let fail = true;
  let pending = 500;
  const { u } = unit({ fix: ['D19'] }, {
    server: (body) => {
      if (body.includes('stat=')) {
        if (fail) { fail = false; return 'Database Error'; }
        const r = `${pending}/70/sucess`;
        pending = 0;
        return r;
      }
      return `${pending}/70/`;
    },
  });
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(u.s.creditt, 500);
  assert.is(u.s.pendingTopupAck, true);
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(u.s.creditt, 500);
  assert.is(u.s.pendingTopupAck, false);
});

test('D20: every poll detaches and re-attaches GPRS (AT+CIPSHUT each time)', async () => {
  const { u, sim } = unit({}, {});
  await timed(u, () => gsm_func(u.fw), 600);
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(sim!.commands.filter((c) => c === 'AT+CIPSHUT').length, 2);
});

test('D20 fixed: an attached modem is not re-attached', async () => {
  const { u, sim } = unit({ fix: ['D20'] }, {});
  await timed(u, () => gsm_func(u.fw), 600);
  await timed(u, () => gsm_func(u.fw), 600);
  assert.is(sim!.commands.filter((c) => c === 'AT+CIPSHUT').length, 0);
  assert.is(sim!.requests.length, 2);
});

test('D23: with no network the ThingsBoard post prints " fail" and then " OK" anyway', async () => {
  const { u } = unit({ fix: ['D22'] });
  await timed(u, () => post_to_thingsboard(u.fw), 3000);
  assert.ok(u.uarts.debug.text.startsWith('Waiting for network... fail\r\n OK\r\nConnecting to terminal fail\r\n OK\r\n'));
  assert.is(u.s.modemConnected, true);
});

test('D23 fixed: no " OK" after the failure, and the network is waited for again next time', async () => {
  const { u } = unit({ fix: ['D22', 'D23'] });
  await timed(u, () => post_to_thingsboard(u.fw), 3000);
  assert.is(u.uarts.debug.text, 'Waiting for network... fail\r\n');
  assert.is(u.s.modemConnected, false);
});

for (const [body, topup, tariff] of [
  ['500/70/', 500, 70], ['0/70/', 0, 70], ['/70/', 0, 70], ['', 0, 0], ['Database Error', 0, 0], ['500', 500, 0],
  ['<html>503</html>', 0, 0],
] as const) {
  test(`the answer ${JSON.stringify(body)} parses to topup ${topup} and tariff ${tariff} (byte indices, §9.2)`, () => {
    assert.equal(parseTopupBody(body, false), { topup, tariff });
  });
}

test('a tariff field of -1 becomes 4294967295 (unsigned int)', () => {
  assert.is(parseTopupBody('0/-1/', false).tariff, 4294967295);
});

test.run();
