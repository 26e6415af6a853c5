import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Atm90e26Config } from '../../models/afe/atm90e26.ts';
import { PowerFTwo } from './afe-driver.ts';
import { createUnit, type Unit, type UnitOptions } from '../../test/support/firmware-bench.ts';

function wired(o: UnitOptions = {}, chipConfig: Partial<Atm90e26Config> = {}) {
  const u = createUnit({ ...o, chip: { afe: chipConfig, loads: [{ id: 'heater', amps: 5, pf: 1 }] } });
  return { u, chip: u.chip! };
}

async function task<T>(u: Unit, fn: () => Promise<T>, ms = 5000): Promise<T> {
  let out: T | undefined;
  const done = u.clock.spawn('task', async () => { out = await fn(); });
  await u.clock.runFor(ms * 1000);
  await done;
  return out as T;
}

const hex = (s: string): string => Array.from(s, (c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')).join(' ');

test('SET_register_values starts with the SoftReset frame FE 00 78 9A 12 and writes CSOne as FE 2C 32 7C DA', async () => {
  const { u } = wired();
  await task(u, () => u.fw.AFE_chip.SET_register_values());
  const tx = hex(u.uarts.afe.text);
  assert.ok(tx.startsWith('FE 00 78 9A 12 FE 02 00 30 32 FE 03 1F 2F 51'), tx.slice(0, 60));
  assert.ok(tx.includes('FE 2C 32 7C DA FE AC AC'));
  assert.ok(tx.includes('FE 3B 99 3B 0F FE BB BB FE 20 87 65 0C FE 30 87 65 1C FE 81 81'));
});

test('a healthy chip gives the checksum lines 327C and 993B and no error line', async () => {
  const { u } = wired();
  await task(u, () => u.fw.AFE_chip.SET_register_values());
  assert.is(u.uarts.debug.text, 'Checksum 1:327C\r\nChecksum 2:993B\r\n');
});

test('a dead chip prints Write failed per write and Checksum 1:Read failed, then FFFF', async () => {
  const { u } = wired({}, { dead: true });
  await task(u, () => u.fw.AFE_chip.SET_register_values(), 10000);
  const log = u.uarts.debug.text;
  assert.ok(log.startsWith('Write failed\r\n'));
  assert.ok(log.includes('Checksum 1:Read failed\r\nFFFF\r\n'));
  assert.is(log.split('Write failed').length - 1, 31);
});

test('a read of Urms at 240 V returns 240.00 V (raw / 100)', async () => {
  const { u } = wired();
  await task(u, () => u.fw.AFE_chip.SET_register_values());
  const v = await task(u, () => u.fw.AFE_chip.FETCH_mains());
  assert.ok(Math.abs(v - 240) < 1.2, String(v));
});

test('PowerFTwo is sign-magnitude: 0x8320 reads as PF -0.8', async () => {
  const { u, chip } = wired();
  await task(u, () => u.fw.AFE_chip.SET_register_values());
  chip.pokeRegister(PowerFTwo, 0x8320);
  const pf = await task(u, () => u.fw.AFE_chip.FETCH_PowerFactor());
  assert.is(pf, -0.8);
});

test('D46: with one extra reply byte per transaction every later read fails (Read failed storm)', async () => {
  const { u } = wired({}, { extraReplyByte: true });
  await task(u, () => u.fw.AFE_chip.SET_register_values(), 10000);
  const v = await task(u, () => u.fw.AFE_chip.FETCH_mains());
  assert.is(v, 655.35);
  assert.ok(u.fw.AFE_chip.failures > 10);
});

test('D46 fixed: the stale byte is flushed and the read succeeds', async () => {
  const { u } = wired({ fix: ['D46'] }, { extraReplyByte: true });
  await task(u, () => u.fw.AFE_chip.SET_register_values(), 10000);
  const v = await task(u, () => u.fw.AFE_chip.FETCH_mains());
  assert.ok(Math.abs(v - 240) < 1.2, String(v));
});

/** One Urms read whose last reply byte lands after the fixed 10 ms wait, then six healthy reads (V, f, V, f, ...). */
async function oneLateByte(fix: string[]): Promise<{ u: Unit; values: number[] }> {
  const { u, chip } = wired({ fix });
  await task(u, () => u.fw.AFE_chip.SET_register_values(), 10000);
  const f = u.fw.AFE_chip;
  chip.configure({ replyLatencyUs: 4300 }); // bytes 1-2 in time, byte 3 about 0.4 ms late
  await task(u, () => f.FETCH_mains());
  chip.configure({ replyLatencyUs: 500 });
  const values: number[] = [];
  for (let i = 0; i < 3; i++) values.push(await task(u, () => f.FETCH_mains()), await task(u, () => f.FETCH_Frequency()));
  return { u, values };
}

test('D46: one late reply byte desynchronises every later read (V = 655.35, Read failed storm)', async () => {
  const { u, values } = await oneLateByte([]);
  assert.equal(values, [655.35, 655.35, 655.35, 655.35, 655.35, 655.35]);
  assert.is(u.uarts.debug.text.split('Read failed').length - 1, 7);
});

test('D46 fixed: after one late reply byte the next reads are whole again', async () => {
  const { values } = await oneLateByte(['D46']);
  assert.ok(values.every((v, i) => Math.abs(v - (i % 2 ? 50 : 240)) < 1.2), values.join(' '));
});

test('D46: a reply arriving 8 ms late (after the fixed 10 ms wait) fails', async () => {
  const { u } = wired({}, { replyLatencyUs: 8000 });
  const r = await task(u, () => u.fw.AFE_chip.AFECHIP(1, 0x49, 0xffff));
  assert.is(r, 0xffff);
  assert.ok(u.uarts.debug.text.startsWith('Read failed'));
});

test('D46: with every reply 8 ms late, the first read fails and each later one returns the register read before it', async () => {
  const { u, chip } = wired();
  await task(u, () => u.fw.AFE_chip.SET_register_values(), 10000);
  chip.configure({ replyLatencyUs: 8000 });
  const regs = [0x49, 0x4c, 0x2c, 0x49]; // Urms, Freq, CSOne, Urms
  const got = await task(u, async () => {
    const out: number[] = [];
    for (const r of regs) out.push(await u.fw.AFE_chip.AFECHIP(1, r, 0xffff));
    return out;
  });
  // The late reply lands after the 10 ms wait, stays in the RX buffer, and is taken (checksum valid) by the next read.
  assert.equal(got, [0xffff, chip.peekRegister(0x49), chip.peekRegister(0x4c), chip.peekRegister(0x2c)]);
  assert.ok(new Set(got.slice(1)).size === 3, `the registers read alike: ${got.join(' ')}`);
  assert.is(u.uarts.debug.text.split('Read failed').length - 1, 1); // only the first: the stale replies pass the checksum
});

test('D46 fixed: the same late reply is awaited and read', async () => {
  const { u, chip } = wired({ fix: ['D46'] }, { replyLatencyUs: 8000 });
  const r = await task(u, () => u.fw.AFE_chip.AFECHIP(1, 0x2c, 0x0000));
  assert.is(r, chip.peekRegister(0x2c));
  assert.is(u.uarts.debug.text, '');
});

test.run();
