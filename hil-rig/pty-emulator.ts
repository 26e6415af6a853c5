// `osm board emulate --link PATH`: the emulated board behind a pseudo-terminal, so a host reaches it through the
// real serial code path (serialport). Debian's `socat` makes the pty (`PTY,link=PATH,raw,echo=0`) and carries its
// bytes on its stdio; the board runs on wall time, its link paced at the host baud rate like the in-process one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { FirmataBoard } from './emulator/firmata-board.ts';
import { boardSpec } from './boards.ts';
import { loadWiring, type WiringMap } from './wiring.ts';
import { WallTime } from './rig/wall-time.ts';
import { emulatedMeterParts, type EmulatedMeterParts } from './emulated-meter-parts.ts';

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export class PtyEmulatorError extends Error {}

export interface PtyEmulator { board: FirmataBoard; parts: EmulatedMeterParts; wiring: WiringMap; link: string; stop(): Promise<void> }

/** Start the emulated board on a pty at `link` (a path socat creates as a symlink to the pty). */
export async function startPtyEmulator(link: string, wiringFile: string, opts: { loadWatts?: number } = {}): Promise<PtyEmulator> {
  if (!socatAvailable()) throw new PtyEmulatorError('socat is not installed (Debian: apt-get install socat); it makes the pseudo-terminal');
  try {
    const st = lstatSync(link);
    if (!st.isSymbolicLink()) throw new PtyEmulatorError(`--link ${link}: exists and is not a symbolic link; give a free path (socat creates a link to the pty there)`);
  } catch (e) {
    if (e instanceof PtyEmulatorError) throw e;
  }
  const wiring = loadWiring(wiringFile);
  const time = new WallTime({ eventTime: true });
  const board = new FirmataBoard(boardSpec(wiring.board), time, { hostBaud: wiring.hostBaud, paceInput: true });
  const parts = emulatedMeterParts(board, wiring, time, opts);
  const child: ChildProcess = spawn('socat', [`PTY,link=${link},raw,echo=0`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => board.receive(d));
  board.onOutput = (bytes) => { child.stdin!.write(Buffer.from(bytes)); };
  // wait for the link to appear (socat makes it at start)
  const t0 = Date.now();
  for (;;) {
    try { lstatSync(link); break; } catch { /* not yet */ }
    if (child.exitCode !== null) throw new PtyEmulatorError(`socat stopped: ${stderr.trim() || `exit ${child.exitCode}`}`);
    if (Date.now() - t0 > 5000) { child.kill(); throw new PtyEmulatorError(`socat did not create ${link} within 5 s`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  board.boot();
  return {
    board, parts, wiring, link,
    stop: () => new Promise<void>((resolve) => {
      board.freeze();
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
