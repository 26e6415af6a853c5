// The board's analog front end at sample level: the same components as the phasor level's FrontEnd
// (models/frontend/front-end.ts, built from one BoardProfile), each discretised:
//   V  (VP-VN)   = divider with its VP filter                          divider-waveform.ts
//   IN (I2P-I2N) = CT + burden + C42, loaded by and followed by the N filter, with core saturation   ct-waveform.ts
//   IL (I1P-I1N) = the shunt and the L filter when a shunt is fitted; otherwise nothing is connected  shunt-waveform.ts
import type { BoardProfile } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { CtWaveform, type CtWaveformOptions } from './ct-waveform.ts';
import { DividerWaveform } from './divider-waveform.ts';
import { ShuntWaveform } from './shunt-waveform.ts';

export class FrontEndWaveform {
  /** The phasor-level components these are discretised from. */
  readonly phasor: FrontEnd;
  readonly divider: DividerWaveform;
  readonly ct: CtWaveform;
  /** The L-channel shunt, or null when none is fitted (I1P/I1N floating on this board). */
  readonly shunt: ShuntWaveform | null;

  constructor(profile: BoardProfile, sampleRateHz: number, ctOptions: Partial<CtWaveformOptions> = {}) {
    this.phasor = new FrontEnd(profile);
    this.divider = new DividerWaveform(this.phasor.divider, sampleRateHz);
    this.ct = new CtWaveform(this.phasor.ct, this.phasor.filterN, sampleRateHz, ctOptions);
    this.shunt = this.phasor.shunt ? new ShuntWaveform(this.phasor.shunt, this.phasor.filterL, sampleRateHz) : null;
  }

  /**
   * Pin samples for `n` line samples: `vPin` from `vLine`, `inPin` and (with a shunt) `ilPin` from `iLine`.
   * Without a shunt `ilPin` is left untouched.
   */
  process(vLine: Float64Array, iLine: Float64Array, vPin: Float64Array, inPin: Float64Array, ilPin: Float64Array, n: number): void {
    this.divider.process(vLine, vPin, n);
    this.ct.process(iLine, inPin, n);
    this.shunt?.process(iLine, ilPin, n);
  }
}
