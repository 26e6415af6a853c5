// The `--target` options of `osm run`, `osm diff` and `osm rig`: their help and their check. Apart from the rig path
// itself (original-bench.ts), so that a command can read them without loading it (the rig link, the AFE responder run
// in avr8js, the sketch builder), which a run on the twin does not need.
import type { FirmataBoardConfig } from '../emulator/firmata-board.ts';
import type { EmulatedWorldConfig } from './emulated-world.ts';
import { DEFAULT_ORIGINAL_WIRING } from './original-wiring.ts';

export type RigTarget = 'rig' | 'rig-emulated';
export const TARGETS = ['twin', 'rig', 'rig-emulated'] as const;

export interface RigTargetChoice {
  target: RigTarget;
  /** Serial port of the rig board (Firmata). */
  port?: string;
  /** The meter's debug port (USB serial adapter on USART2). */
  debugPort?: string;
  /** The AFE responder's USB port. */
  afePort?: string;
  wiring: string;
  /** Settings of the emulated hardware (tests). */
  emulated?: Partial<EmulatedWorldConfig> & { board?: Partial<FirmataBoardConfig> };
}

export class TargetOptionError extends Error {}

export const TARGET_OPTIONS_HELP = `  --target T        twin (default); rig: the ORIGINAL firmware on a real meter board, driven and observed by a
                    rig (keys, cover, supply, relay coils, LEDs, buzzer, debug port, AFE responder; always in
                    real time); rig-emulated: the same rig path with the hardware emulated and a twin standing in
                    for the meter at pin level (CI). A scenario asserting what only the twin sees (LCD, credit,
                    readings) is refused on a rig before it starts
  --port PATH       (--target rig) the rig board's serial port (StandardFirmataPlus)
  --debug-port PATH (--target rig) the meter's debug port (USART2, 115200 baud) through a USB serial adapter
  --afe-port PATH   (--target rig) the AFE responder's USB port (hil-rig/firmware/afe-responder on a Mega 2560)
  --wiring FILE     the rig's wiring map (default hil-rig/wiring/original-mega2560.yaml)`;

/** Check `--target` and its port options; null for the twin. */
export function parseRigTarget(v: { target?: string; port?: string; debugPort?: string; afePort?: string; wiring?: string }): RigTargetChoice | null {
  const target = v.target ?? 'twin';
  if (!(TARGETS as readonly string[]).includes(target)) throw new TargetOptionError(`--target: expected ${TARGETS.join(', ')}, got '${target}'`);
  if (target === 'twin') {
    for (const [k, flag] of [['debugPort', '--debug-port'], ['afePort', '--afe-port']] as const) {
      if (v[k] !== undefined) throw new TargetOptionError(`${flag} needs --target rig`);
    }
    return null;
  }
  if (target === 'rig') {
    const missing = [['port', '--port PATH'], ['debugPort', '--debug-port PATH'], ['afePort', '--afe-port PATH']].filter(([k]) => !v[k as 'port']).map(([, f]) => f);
    if (missing.length) throw new TargetOptionError(`--target rig needs ${missing.join(', ')} (the rig board, the meter's debug port, the AFE responder)`);
  } else {
    for (const [k, flag] of [['port', '--port'], ['debugPort', '--debug-port'], ['afePort', '--afe-port']] as const) {
      if (v[k] !== undefined) throw new TargetOptionError(`${flag} is for --target rig (rig-emulated is in-process)`);
    }
  }
  return {
    target: target as RigTarget, wiring: v.wiring ?? DEFAULT_ORIGINAL_WIRING,
    ...(v.port ? { port: v.port } : {}), ...(v.debugPort ? { debugPort: v.debugPort } : {}), ...(v.afePort ? { afePort: v.afePort } : {}),
  };
}
