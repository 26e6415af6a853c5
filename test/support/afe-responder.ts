// Support for field-log.test.ts: a scripted peer on the AFE UART of a unit's board that answers at the ATM90E26's
// UART frame level (every write with its checksum, every read with a fixed register value), so that
// `SET_register_values()` can be made to see any SysStatus, including values the chip model only reaches through
// faults.
import type { Unit } from './firmware-bench.ts';

/** Run `SET_register_values()` against a chip whose SysStatus reads `sysStatus`; the debug text printed. */
export async function SET_register_values_port(u: Unit, sysStatus: number): Promise<string> {
  const port = u.board.serial.afe;
  const host = u.board.serialPeer('afe');
  const reply = (bytes: number[]): void => {
    u.clock.after(2000, () => { for (const b of bytes) host.receive(b, port.baud); });
  };
  let frame: number[] = [];
  port.peer = {
    receive: (byte: number) => {
      frame.push(byte);
      if (frame[0] !== 0xfe) { frame = []; return; }
      const addr = frame[1];
      if (frame.length === 3 && addr !== undefined && (addr & 0x80)) {
        const reg = addr & 0x7f;
        const v = reg === 0x01 ? sysStatus : reg === 0x2c ? 0x327c : reg === 0x3b ? 0x993b : 0;
        frame = [];
        reply([v >> 8, v & 0xff, ((v >> 8) + (v & 0xff)) & 0xff]);
      } else if (frame.length === 5) {
        const cs = frame[4];
        frame = [];
        reply([cs]);
      }
    },
  };
  const before = u.uarts.debug.text.length;
  let done = false;
  const p = u.clock.spawn('afe', async () => { await u.fw.AFE_chip.SET_register_values(); done = true; });
  for (let i = 0; i < 100 && !done; i++) await u.clock.runFor(100_000);
  await p;
  return u.uarts.debug.text.slice(before);
}
