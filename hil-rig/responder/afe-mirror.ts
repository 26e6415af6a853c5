// The host's half of the AFE responder: keeps the responder's register mirror current from the project's ATM90E26
// model (fed by the plant) and applies to the model what the meter wrote.
//
// - `configure()`: the frames that tell a freshly reset responder which registers the meter may write (access W or
//   R/W in the register map) and which clear when read (R/C: SysStatus and the energy registers), its reply latency
//   (the model's, 0.5 ms), and every register's present value.
// - `sync()`: the frames that bring the mirror up to date: a changed register is set; the read-clear ones are taken
//   out of the model (read there, which clears them) and added (energy pulses) or OR-ed (status bits) into the
//   mirror, which clears them when the meter reads them. So no energy is counted twice or lost between the two.
// - `apply(report)`: a write the meter made is made on the model as the meter made it (command words act there).
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { REG, REGISTERS } from '../../models/afe/registers.ts';
import { encodeCommand, type HostCommand, type ResponderReport } from './protocol.ts';

const SYS_STATUS = REG.SysStatus;

export class AfeMirror {
  readonly chip: ATM90E26;
  readonly #shown = new Map<number, number>();
  readonly #plain: number[];
  readonly #readClear: number[];

  constructor(chip: ATM90E26) {
    this.chip = chip;
    this.#plain = REGISTERS.filter((r) => r.access === 'R' || r.access === 'R/W').map((r) => r.addr);
    this.#readClear = REGISTERS.filter((r) => r.access === 'R/C').map((r) => r.addr);
  }

  /** Frames for a responder just out of reset. */
  configure(replyLatencyUs = this.chip.config.replyLatencyUs): Uint8Array[] {
    const writable = new Array<number>(16).fill(0);
    const readClear = new Array<number>(16).fill(0);
    for (const r of REGISTERS) {
      if (r.access === 'W' || r.access === 'R/W') writable[r.addr >> 3] |= 1 << (r.addr & 7);
      if (r.access === 'R/C') readClear[r.addr >> 3] |= 1 << (r.addr & 7);
    }
    const cmds: HostCommand[] = [{ type: 'latency', us: Math.round(replyLatencyUs) }];
    for (let b = 0; b < 16; b++) {
      cmds.push({ type: 'writable', block: b, mask: writable[b] }, { type: 'readClear', block: b, mask: readClear[b] });
    }
    this.#shown.clear();
    return [...cmds.map(encodeCommand), ...this.sync()];
  }

  /** Frames that bring the mirror up to the model's present registers. */
  sync(): Uint8Array[] {
    const out: HostCommand[] = [];
    for (const addr of this.#plain) {
      const v = this.chip.peekRegister(addr);
      if (this.#shown.get(addr) !== v) { this.#shown.set(addr, v); out.push({ type: 'set', addr, value: v }); }
    }
    for (const addr of this.#readClear) {
      const v = this.chip.peekRegister(addr);
      if (v === 0) continue;
      this.chip.pokeRegister(addr, 0); // taken out of the model: the mirror holds it until the meter reads it
      out.push({ type: addr === SYS_STATUS ? 'or' : 'add', addr, value: v });
    }
    return out.map(encodeCommand);
  }

  /**
   * A transaction the responder reports: the meter's writes are made on the model too. A write to a read-only register
   * changes nothing on the chip (it only echoes the checksum), so it changes nothing on the model either.
   */
  apply(r: ResponderReport): void {
    if (r.type === 'write') {
      this.chip.pokeRegister(r.addr, r.value);
      this.#shown.delete(r.addr); // the model may store something else (a command word): push what it holds
    }
  }
}
