// What the dashboard offers a trainer: the appliances of its load switches, the grid events of its buttons, and the
// household profile a served meter starts with. All of them are ordinary bench stimuli (LoadSpec, GridChange).
import type { GridChange, LoadSpec } from '../twin/kernel/stimuli.ts';
import type { GridEventName } from './protocol.ts';

export interface ApplianceEntry {
  /** Load id on the bench and in the `load` control message. */
  id: string;
  label: string;
  spec: LoadSpec;
}

/** The load switches: one appliance per load kind the plant models (models/loads, models/waveform/loads). */
export const APPLIANCES: readonly ApplianceEntry[] = [
  { id: 'lamp', label: 'Lamp 100 W', spec: { id: 'lamp', kind: 'lamp', watts: 100 } },
  { id: 'kettle', label: 'Kettle 2 kW', spec: { id: 'kettle', kind: 'kettle', watts: 2000 } },
  { id: 'fridge', label: 'Fridge 150 W (motor, PF 0.7)', spec: { id: 'fridge', kind: 'motor', watts: 150, pf: 0.7 } },
  { id: 'tv', label: 'TV 80 W (SMPS)', spec: { id: 'tv', kind: 'smps', watts: 80 } },
  { id: 'charger', label: 'Charger 20 W (rectifier)', spec: { id: 'charger', kind: 'rectifier', watts: 20 } },
  { id: 'heater', label: 'Heater 3 kW', spec: { id: 'heater', kind: 'resistive', watts: 3000 } },
  { id: 'pump', label: 'Water pump 750 W (motor)', spec: { id: 'pump', kind: 'motor', watts: 750, pf: 0.75 } },
];

/** The household profile's load id (a switch of its own on the page). */
export const HOUSEHOLD_ID = 'house';
export const HOUSEHOLD_LABEL = 'Household profile';

/**
 * A small household's demand in watts for each hour of the local day (00:00 .. 23:00): a fridge and standby at
 * night, breakfast, a quiet day, an evening peak with lights, cooking and television.
 */
export const HOUSEHOLD_W: readonly number[] = [
  60, 55, 55, 55, 55, 80, 250, 420, 260, 140, 120, 160, 240, 180, 130, 130, 170, 380, 720, 850, 760, 520, 260, 110,
];

/** The household's demand at a local time of day (seconds since midnight), interpolated between the hours. */
export function householdWatts(secondOfDay: number): number {
  const h = (((secondOfDay / 3600) % 24) + 24) % 24;
  const k = Math.floor(h);
  const f = h - k;
  return HOUSEHOLD_W[k] * (1 - f) + HOUSEHOLD_W[(k + 1) % 24] * f;
}

export interface GridEventEntry { name: GridEventName; label: string }

export const GRID_EVENT_LABELS: readonly GridEventEntry[] = [
  { name: 'normal', label: 'Normal 240 V 50 Hz' },
  { name: 'sag', label: 'Sag 170 V (5 s)' },
  { name: 'swell', label: 'Swell 280 V (5 s)' },
  { name: 'outage', label: 'Outage (10 s)' },
  { name: 'freq-step', label: 'Frequency 47.5 Hz (10 s)' },
  { name: 'harmonics', label: 'Harmonics (3rd 8 %, 5th 5 %)' },
];

/** The nominal supply of a served meter. */
export const NOMINAL_GRID = { vrms: 240, hz: 50 } as const;

/** The bench stimulus of a grid button (durations in virtual time). */
export function gridChangeFor(event: GridEventName): GridChange {
  switch (event) {
    case 'normal': return { vrms: NOMINAL_GRID.vrms, hz: NOMINAL_GRID.hz, outage: false, harmonics: [] };
    case 'sag': return { vrms: 170, forUs: 5e6 };
    case 'swell': return { vrms: 280, forUs: 5e6 };
    case 'outage': return { outage: true, forUs: 10e6 };
    case 'freq-step': return { hz: 47.5, forUs: 10e6 };
    case 'harmonics': return { harmonics: [{ order: 3, percent: 8 }, { order: 5, percent: 5 }] };
  }
}
