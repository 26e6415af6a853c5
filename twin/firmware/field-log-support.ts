// Test support for field-log.test.ts (not used by the firmware): an AFE at the UART frame level that answers every
// write with its checksum and every read with a fixed register value, so `SET_register_values()` can be made to see
// any SysStatus (ATM90E26 UART frames: docs/firmware.md §2, docs/atm90e26.md).
import type { Unit } from './test-bench.ts';

/** Run `SET_register_values()` against a chip whose SysStatus reads `sysStatus`; the debug text printed. */
export async function SET_register_values_port(u: Unit, sysStatus: number): Promise<string> {
  const uart = u.uarts.afe;
  let frame: number[] = [];
  uart.peer = {
    receive: (byte: number) => {
      frame.push(byte);
      if (frame[0] !== 0xfe) { frame = []; return; }
      const addr = frame[1];
      if (frame.length === 3 && addr !== undefined && (addr & 0x80)) {
        const reg = addr & 0x7f;
        const v = reg === 0x01 ? sysStatus : reg === 0x2c ? 0x327c : reg === 0x3b ? 0x993b : 0;
        const reply = [v >> 8, v & 0xff, ((v >> 8) + (v & 0xff)) & 0xff];
        frame = [];
        u.clock.after(2000, () => { for (const b of reply) uart.inject(b); });
      } else if (frame.length === 5) {
        const cs = frame[4];
        frame = [];
        u.clock.after(2000, () => uart.inject(cs));
      }
    },
  };
  uart.begin(9600);
  const before = u.uarts.debug.text.length;
  let done = false;
  const p = u.clock.spawn('afe', async () => { await u.fw.AFE_chip.SET_register_values(); done = true; });
  for (let i = 0; i < 100 && !done; i++) await u.clock.runFor(100_000);
  await p;
  return u.uarts.debug.text.slice(before);
}
