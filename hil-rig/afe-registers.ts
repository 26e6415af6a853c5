// The ATM90E26's registers read and written by the host over a rig board's hardware serial port (Firmata SERIAL_WRITE
// / SERIAL_REPLY through the rig's AfePort), one frame at a time, each reply waited for and checked: what `osm
// accuracy --board` reads the chip's own measurements with, and how it programs the unit's calibration.
//
// Frames (docs/atm90e26.md): read FE, addr|80, addr|80 -> DH, DL, (DH + DL) & FF; write FE, addr, DH, DL, checksum ->
// the checksum echoed. A read is stamped with the time the chip answered: the whole reply arrived, less the three
// reply bytes on the chip's UART (the link's own delay after that is a constant and drops out of a rate). It also
// carries the time its frame went out: the chip took the value between the two, and a host that saw the reply late
// (its process starved of CPU) has a read with a long round trip, whose stamp is late by as much.
import type { RigConnection } from './rig/connection.ts';
import { RigError } from './rig/connection.ts';
import { readFrame, writeFrame } from '../models/afe/uart-frame.ts';
import { byteTimeUs } from '../models/uart.ts';
import { registerInfo } from '../models/afe/registers.ts';

/** How the host waits: on the emulated board's virtual clock, or on the wall clock of a real board. */
export interface LinkTime {
  now(): number;
  /** Let time pass until `cond` holds or `timeoutUs` has gone by; resolves to `cond()`. */
  waitFor(cond: () => boolean, timeoutUs: number): Promise<boolean>;
}

export interface AfeRegisterLinkConfig {
  /** Longest wait for a reply, microseconds (the chip answers within 3 ms; the link adds its round trip). */
  replyTimeoutUs: number;
  /** Attempts per frame before the link is declared broken (a reply with a bad checksum is retried). */
  attempts: number;
}

export const AFE_REGISTER_LINK_DEFAULTS: Readonly<AfeRegisterLinkConfig> = Object.freeze({ replyTimeoutUs: 500_000, attempts: 3 });

export interface RegisterRead {
  value: number;
  /** When the chip answered, as the host saw it (the reply's end less its bytes on the chip's UART). */
  tUs: number;
  /** When the frame that got this reply was sent. */
  sentUs: number;
}

function regName(addr: number): string {
  const info = registerInfo(addr);
  return `${info ? info.name : 'register'} (0x${addr.toString(16).padStart(2, '0')})`;
}

export class AfeRegisterLink {
  readonly #rig: RigConnection;
  readonly #time: LinkTime;
  readonly #cfg: AfeRegisterLinkConfig;
  #lost = 0;
  /** Frames sent, replies with a bad checksum, and each read's round trip (frame out -> reply in), microseconds. */
  frames = 0;
  badReplies = 0;
  /** Frames that got no (complete) reply in time and were sent again. */
  lostReplies = 0;
  readonly roundTrips: number[] = [];

  constructor(rig: RigConnection, time: LinkTime, config: Partial<AfeRegisterLinkConfig> = {}) {
    if (!rig.afe || !rig.wiring.afe) throw new RigError('afe: the ATM90E26 is not on the rig (add afe to --parts and an afe section to the wiring map)');
    this.#rig = rig;
    this.#time = time;
    this.#cfg = { ...AFE_REGISTER_LINK_DEFAULTS, ...config };
    rig.afe.begin(rig.wiring.afe.baud);
  }

  async read(addr: number): Promise<RegisterRead> {
    const port = this.#rig.afe!;
    for (let attempt = 1; ; attempt++) {
      const reply = await this.#exchange(readFrame(addr), 3, addr);
      const [dh, dl, ck] = reply.bytes;
      if (((dh + dl) & 0xff) === ck) {
        const chipUs = 3 * byteTimeUs(port.baud || this.#rig.wiring.afe!.baud);
        return { value: (dh << 8) | dl, tUs: reply.tUs - chipUs, sentUs: reply.sentUs };
      }
      this.badReplies++;
      // the rest of a torn reply may still be on its way: let it land and drop it before the next frame
      await this.#time.waitFor(() => false, this.#cfg.replyTimeoutUs / 5);
      if (attempt >= this.#cfg.attempts) throw new RigError(`afe: ${attempt} replies to a read of ${regName(addr)} had a bad checksum (last ${reply.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}): check the AFE's serial wiring and baud rate`);
    }
  }

  async write(addr: number, value: number): Promise<void> {
    const frame = writeFrame(addr, value);
    for (let attempt = 1; ; attempt++) {
      const reply = await this.#exchange(frame, 1, addr);
      if (reply.bytes[0] === frame[4]) return;
      this.badReplies++;
      await this.#time.waitFor(() => false, this.#cfg.replyTimeoutUs / 5);
      if (attempt >= this.#cfg.attempts) throw new RigError(`afe: the ATM90E26 did not echo the checksum of a write of 0x${value.toString(16).padStart(4, '0')} to ${regName(addr)} (${attempt} attempts)`);
    }
  }

  async #exchange(frame: number[], replyBytes: number, addr: number): Promise<{ bytes: number[]; tUs: number; sentUs: number }> {
    const port = this.#rig.afe!;
    while (port.available()) port.read();
    this.frames++;
    const sent = this.#time.now();
    port.write(Uint8Array.from(frame));
    const ok = await this.#time.waitFor(() => port.available() >= replyBytes, this.#cfg.replyTimeoutUs);
    const fault = this.#rig.faulted;
    if (fault) throw new RigError(`rig: ${fault}`);
    if (!ok && ++this.#lost < this.#cfg.attempts) {
      // a frame the chip dropped (its 20 ms inter-byte limit, noise) or a reply that is only late: let a late reply
      // land and drop it, so it cannot be taken for the answer to the next frame; then send the frame again
      this.lostReplies++;
      await this.#time.waitFor(() => false, this.#cfg.replyTimeoutUs);
      return this.#exchange(frame, replyBytes, addr);
    }
    if (ok) this.#lost = 0;
    if (!ok) {
      throw new RigError(`afe: no reply from the ATM90E26 to a ${frame.length === 3 ? 'read' : 'write'} of ${regName(addr)} within ${(this.#cfg.replyTimeoutUs / 1000).toFixed(0)} ms `
        + `(${port.available()} of ${replyBytes} bytes, ${this.#cfg.attempts} attempts, after ${this.frames - this.#cfg.attempts} frames): check the AFE's wiring to ${this.#rig.wiring.afe!.portName} and its power`);
    }
    const tUs = this.#time.now();
    if (port.available() > replyBytes && ++this.#lost < this.#cfg.attempts) {
      // more than the reply: a late answer to an earlier frame is mixed in; which bytes are whose is unknown
      this.lostReplies++;
      await this.#time.waitFor(() => false, this.#cfg.replyTimeoutUs);
      return this.#exchange(frame, replyBytes, addr);
    }
    this.roundTrips.push(tUs - sent);
    const bytes: number[] = [];
    for (let i = 0; i < replyBytes; i++) bytes.push(port.read());
    return { bytes, tUs, sentUs: sent };
  }
}
