// The OpenPAYGO part of the firmware (boot modes 2 = energy-based and 3 = time-based): one `loop()` pass is
// main.cpp's mode-2/3 branch (docs/firmware.md §3.1, §6): wait for a token, decode it, print the five debug
// lines, update the device. Supplied to the firmware as `FirmwareOptions.opaygo`.
//
//   const fw = new OsmFirmware(board, resolveFirmware({ profile: 'field', mode: 'opaygo-time' }),
//                              { opaygo: new OpaygoFirmware() });
//
// Which decoder runs, and where the debug text goes, follow the build (config.ts, the D38-D42 knobs).
import type { FirmwareContext, OpaygoImplementation } from '../firmware-context.ts';
import { printfPort } from '../storage.ts';
import { resolveOpaygoConfig, type OpaygoConfig } from './config.ts';
import { GetDataFromToken } from './decoder.ts';
import { UpdateDeviceStatusFromTokenValue } from './device-status.ts';
import { startOpaygoMode } from './meter-service.ts';
import { runOf } from './run-state.ts';
import { WaitForTokenEntry } from './token-entry.ts';

export class OpaygoFirmware implements OpaygoImplementation {
  readonly config: OpaygoConfig;

  /** Options as in config.ts (key, starting code, decoder, restricted digit set, poll and service periods). */
  constructor(options: Partial<OpaygoConfig> = {}) {
    this.config = resolveOpaygoConfig(options);
  }

  async loop(fw: FirmwareContext): Promise<void> {
    const s = fw.state;
    const run = runOf(fw, this.config);
    if (!run.started) {
      run.started = true;
      startOpaygoMode(fw);
    }
    const InputToken = await WaitForTokenEntry(fw, run);
    if (InputToken === null) return;
    const Output = GetDataFromToken(fw, InputToken, this.config);
    const out = printfPort(fw);
    out.print(`\n(Token entered: ${InputToken})`);
    out.print(`\n(Activation Value from Token: ${Output.Value})`);
    out.print(`\n(Count: ${Output.Count})`);
    out.print(`\n(Max Count: ${s.TokenCount})`);
    out.print(`\n(Used Tokens: ${s.UsedTokens})\n`);
    s.opaygoEntries++;
    s.opaygoLastValue = Output.Value;
    s.opaygoLastCount = Output.Count;
    await UpdateDeviceStatusFromTokenValue(fw, Output.Value, Output.Count);
  }
}
