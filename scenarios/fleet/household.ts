// The load-profile library of a fleet: each household is an archetype (a daily shape of background load per hour,
// and appliances that switch on at seeded random times within their hours of use), scaled by the day of the week
// and the season. From an archetype, a seed and a start date, `householdSchedule` gives the load changes of a
// household over a run, in time order: the same seed gives the same household, always.
import { Rng } from '../../twin/kernel/rng.ts';

export interface Appliance {
  id: string;
  watts: number;
  pf: number;
  /** Mean switch-ons per day. */
  startsPerDay: number;
  /** Mean minutes on, per switch-on. */
  meanOnMinutes: number;
  /** Hours of the day it may switch on, [from, to) in local hours. */
  hours: [number, number];
}

export interface Archetype {
  name: string;
  /** Background load (lights, standby, fans) per hour of the day, W. */
  daily: readonly number[];
  appliances: readonly Appliance[];
  /** Scale of the whole profile on Saturday and Sunday. */
  weekend: number;
  /** Peak-to-mean swing of the seasonal scale (0.2: +-20 % over the year, highest in `peakMonth`). */
  seasonal: number;
  /** Month (1..12) of the seasonal peak (cooling or lighting). */
  peakMonth: number;
}

const hours = (night: number, morning: number, day: number, evening: number): number[] =>
  Array.from({ length: 24 }, (_, h) => (h < 6 ? night : h < 9 ? morning : h < 18 ? day : h < 23 ? evening : night));

/** Households of an off-grid or weak-grid rollout, from lights-only to a small shop. */
export const ARCHETYPES: readonly Archetype[] = [
  {
    name: 'lights-phone', daily: hours(5, 25, 5, 60), weekend: 1.1, seasonal: 0.15, peakMonth: 6,
    appliances: [{ id: 'radio', watts: 15, pf: 0.6, startsPerDay: 2, meanOnMinutes: 90, hours: [6, 22] }],
  },
  {
    name: 'tv-fan', daily: hours(20, 60, 30, 120), weekend: 1.2, seasonal: 0.25, peakMonth: 3,
    appliances: [
      { id: 'tv', watts: 80, pf: 0.65, startsPerDay: 2, meanOnMinutes: 120, hours: [17, 23] },
      { id: 'fan', watts: 60, pf: 0.85, startsPerDay: 3, meanOnMinutes: 90, hours: [10, 24] },
    ],
  },
  {
    name: 'fridge-home', daily: hours(40, 120, 60, 200), weekend: 1.15, seasonal: 0.2, peakMonth: 3,
    appliances: [
      { id: 'fridge', watts: 150, pf: 0.8, startsPerDay: 24, meanOnMinutes: 20, hours: [0, 24] },
      { id: 'iron', watts: 1000, pf: 1, startsPerDay: 0.5, meanOnMinutes: 20, hours: [7, 20] },
      { id: 'kettle', watts: 2000, pf: 1, startsPerDay: 2, meanOnMinutes: 4, hours: [6, 21] },
    ],
  },
  {
    name: 'small-shop', daily: hours(30, 150, 250, 300), weekend: 0.7, seasonal: 0.15, peakMonth: 12,
    appliances: [
      { id: 'freezer', watts: 200, pf: 0.8, startsPerDay: 30, meanOnMinutes: 18, hours: [0, 24] },
      { id: 'clippers', watts: 40, pf: 0.7, startsPerDay: 6, meanOnMinutes: 15, hours: [8, 20] },
      { id: 'amplifier', watts: 300, pf: 0.9, startsPerDay: 1, meanOnMinutes: 180, hours: [15, 22] },
    ],
  },
];

export function archetype(name: string): Archetype {
  const a = ARCHETYPES.find((x) => x.name === name);
  if (!a) throw new RangeError(`unknown household '${name}' (known: ${ARCHETYPES.map((x) => x.name).join(', ')})`);
  return a;
}

export interface LoadChange {
  /** Microseconds from the start of the run. */
  tUs: number;
  id: string;
  /** Watts to draw from then on; 0 removes the load. */
  watts: number;
  pf: number;
}

const HOUR_US = 3600e6;
const DAY_US = 24 * HOUR_US;

/** Scale of the profile on a calendar day: weekend and season. */
export function dayScale(a: Archetype, date: Date): number {
  const dow = date.getUTCDay();
  const weekend = dow === 0 || dow === 6 ? a.weekend : 1;
  const month = date.getUTCMonth() + 1;
  const season = 1 + a.seasonal * Math.cos((2 * Math.PI * (month - a.peakMonth)) / 12);
  return weekend * season;
}

/**
 * The load changes of one household from `start` (the meter's clock, local time written as UTC) for `durationUs`:
 * the background load at every hour boundary, each appliance on and off at seeded times. Sorted by time, then id.
 */
export function householdSchedule(a: Archetype, seed: number, start: Date, durationUs: number): LoadChange[] {
  const rng = new Rng(seed).fork(`household:${a.name}`);
  const out: LoadChange[] = [];
  const startHourUs = (start.getUTCHours() * 3600 + start.getUTCMinutes() * 60 + start.getUTCSeconds()) * 1e6;
  // Background: a step at the start and at each local hour boundary.
  for (let t = 0; t < durationUs;) {
    const local = new Date(start.getTime() + t / 1000);
    const scale = dayScale(a, local);
    const jitter = 1 + 0.1 * (rng.next() - 0.5);
    out.push({ tUs: t, id: 'background', watts: Math.round(a.daily[local.getUTCHours()] * scale * jitter * 10) / 10, pf: 0.9 });
    const toNextHour = HOUR_US - ((startHourUs + t) % HOUR_US);
    t += toNextHour;
  }
  // Appliances: per day, a Poisson-ish number of starts, each at a uniform time within its hours.
  const days = Math.ceil((startHourUs + durationUs) / DAY_US);
  const dayStart0 = -startHourUs;
  for (const ap of a.appliances) {
    const ar = rng.fork(ap.id);
    for (let d = 0; d < days; d++) {
      const date = new Date(start.getTime() + (dayStart0 + d * DAY_US) / 1000);
      const mean = ap.startsPerDay * dayScale(a, date);
      let n = Math.floor(mean);
      if (ar.next() < mean - n) n++;
      for (let k = 0; k < n; k++) {
        const on = dayStart0 + d * DAY_US + ar.uniform(ap.hours[0], ap.hours[1]) * HOUR_US;
        const len = Math.max(60e6, -Math.log(1 - ar.next()) * ap.meanOnMinutes * 60e6);
        if (on + len <= 0 || on >= durationUs) continue;
        const id = `${ap.id}-${d}-${k}`;
        out.push({ tUs: Math.max(0, Math.round(on)), id, watts: ap.watts, pf: ap.pf });
        if (on + len < durationUs) out.push({ tUs: Math.round(on + len), id, watts: 0, pf: ap.pf });
      }
    }
  }
  return out.sort((x, y) => x.tUs - y.tUs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
