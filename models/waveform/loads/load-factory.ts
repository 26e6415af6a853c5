// Builds the sample-level load for a scenario's LoadSpec (the phasor level's contract, models/loads/load.ts): the same
// spec gives the phasor level's impedance and spectrum there, and here the circuit that behaves like it in steady
// state plus its transients (lamp inrush, motor start, SMPS capacitor charge).
import { checkSpec, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { HalfWaveLoad } from './half-wave.ts';
import { KettleLoad, type KettleOptions } from './kettle.ts';
import { LampLoad, type LampOptions } from './lamp.ts';
import { LinearLoad } from './linear-load.ts';
import { MotorLoad, type MotorOptions } from './motor.ts';
import type { SampleLoad } from './sample-load.ts';
import { SmpsLoad, type SmpsOptions } from './smps.ts';

/** Per-kind options of the sample-level models (their defaults are documented in each file). */
export interface SampleLoadOptions {
  lamp?: Partial<LampOptions>;
  kettle?: Partial<KettleOptions>;
  motor?: Partial<MotorOptions>;
  smps?: Partial<SmpsOptions>;
}

export function sampleLoadFrom(spec: LoadSpec, grid: LoadContext, sampleRateHz: number, options: SampleLoadOptions = {}): SampleLoad {
  const s = checkSpec(spec);
  const full: LoadSpec = { ...spec, kind: s.kind };
  switch (s.kind) {
    case 'resistive':
    case 'inductive':
    case 'capacitive':
      return new LinearLoad(full, grid, sampleRateHz);
    case 'lamp': return new LampLoad(full, grid, options.lamp);
    case 'kettle': return new KettleLoad(full, grid, options.kettle);
    case 'motor': return new MotorLoad(full, grid, sampleRateHz, options.motor);
    case 'smps': return new SmpsLoad(full, grid, sampleRateHz, options.smps);
    case 'rectifier': return new HalfWaveLoad(full, grid, sampleRateHz);
  }
}
