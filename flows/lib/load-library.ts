// Named loads a trainer or test engineer picks from a list instead of typing watts and power factors, and load
// profiles: a timed sequence of load changes that plays out as virtual time passes.
import type { LoadSpec } from '../../twin/kernel/stimuli.ts';

export type LibraryLoad = Omit<LoadSpec, 'id'> & { label: string };

/** Typical nameplate values of household appliances on a prepaid meter. */
export const LOAD_LIBRARY: Readonly<Record<string, LibraryLoad>> = {
  kettle: { label: 'electric kettle 2 kW', kind: 'kettle', watts: 2000, pf: 1 },
  heater: { label: 'fan heater 3 kW', kind: 'resistive', watts: 3000, pf: 1 },
  iron: { label: 'clothes iron 1 kW', kind: 'resistive', watts: 1000, pf: 1 },
  lamp: { label: 'incandescent lamp 60 W', kind: 'lamp', watts: 60, pf: 1 },
  fridge: { label: 'refrigerator compressor 150 W, pf 0.7', kind: 'motor', watts: 150, pf: 0.7 },
  fan: { label: 'ceiling fan 75 W, pf 0.8', kind: 'motor', watts: 75, pf: 0.8 },
  tv: { label: 'television 100 W (switch-mode supply)', kind: 'smps', watts: 100, pf: 0.95 },
  charger: { label: 'phone charger 10 W (switch-mode supply)', kind: 'smps', watts: 10, pf: 0.95 },
  radio: { label: 'radio with a rectifier 20 W', kind: 'rectifier', watts: 20, pf: 1 },
};

export interface ProfileStep {
  /** Offset from the start of the profile, µs. */
  atUs: number;
  /** The load to set, or null to disconnect the profile's load. */
  load: Omit<LoadSpec, 'id'> | null;
}

export interface LoadProfile { label: string; steps: ProfileStep[] }

const H = 3600e6;
/** A household's day in watts per hour from 00:00 (resistive; motor loads in the evening hours 18-21). */
const HOUSEHOLD_W = [120, 100, 100, 100, 100, 150, 600, 900, 500, 300, 300, 400, 500, 400, 300, 300, 400, 800, 1500, 1800, 1600, 1200, 600, 200];

export const LOAD_PROFILES: Readonly<Record<string, LoadProfile>> = {
  'household-day': {
    label: 'a household day: 24 hourly levels, 100 W at night to 1.8 kW in the evening (motor loads 18:00-21:59)',
    steps: [
      ...HOUSEHOLD_W.map((w, h) => ({
        atUs: h * H,
        load: h >= 18 && h <= 21 ? { kind: 'motor' as const, watts: w, pf: 0.8 } : { kind: 'resistive' as const, watts: w, pf: 1 },
      })),
      { atUs: 24 * H, load: null },
    ],
  },
  'kettle-boil': {
    label: 'a 2 kW kettle boiling 1.5 l: on for 4 min, then off',
    steps: [{ atUs: 0, load: { kind: 'kettle', watts: 2000, pf: 1 } }, { atUs: 240e6, load: null }],
  },
  'evening-lights': {
    label: 'lamp and TV from 18:00 to 23:00 (starts now, 5 h)',
    steps: [{ atUs: 0, load: { kind: 'smps', watts: 160, pf: 0.95 } }, { atUs: 5 * H, load: null }],
  },
};
