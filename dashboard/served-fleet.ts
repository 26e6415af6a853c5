// A fleet on the dashboard (`osm serve --fleet N`): N live meters planned as `osm fleet` plans them (each its own
// seed, a board drawn from the tolerances, a household from the load-profile library, a credit and payments), each
// built with its own meter id and access token, all of them sharing one top-up backend and one ThingsBoard broker.
// The households and payments are planned for `planDays` from the start; after that a meter keeps its last loads.
import { fleetServers, meterPlan, generatedToken, type FleetServers, type FleetSpec, type MeterPlan } from '../scenarios/fleet/fleet.ts';
import type { LiveMeterConfig } from './live-meter.ts';
import type { LocalTime } from '../twin/twin-meter.ts';

export interface ServedFleetOptions {
  meters: number;
  seed: number;
  clock: LocalTime;
  /** Initial credit per meter, drawn from [min, max]. */
  credit: [number, number];
  /** Days of household loads and payments planned (default 30). */
  planDays?: number;
}

export interface ServedFleet {
  spec: FleetSpec;
  plans: MeterPlan[];
  servers: FleetServers;
  /** Settings of meter `index` (the hub's `meterFor`). */
  meterFor(index: number): Partial<LiveMeterConfig>;
  close(): Promise<void>;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** Wall ms between two paced slices of a fleet meter (a single dashboard meter: 20 ms). */
export const FLEET_PACED_WAIT_MS = 100;

export function servedFleet(o: ServedFleetOptions): ServedFleet {
  const c = o.clock;
  const spec: FleetSpec = {
    meters: o.meters, seed: o.seed, durationUs: (o.planDays ?? 30) * 86_400e6,
    start: `${c.year}-${p2(c.month)}-${p2(c.day)}T${p2(c.hour)}:${p2(c.minute)}:${p2(c.second)}`,
    modes: ['sts'], credit: o.credit, topUp: { everyHours: 24, amount: [100, 1000] },
    tokens: Array.from({ length: o.meters }, (_, i) => generatedToken(o.seed, i)),
  };
  const plans = Array.from({ length: o.meters }, (_, i) => meterPlan(spec, i));
  const servers = fleetServers(plans);
  return {
    spec, plans, servers,
    meterFor: (index) => ({
      plan: plans[index], seed: plans[index].seed, credit: plans[index].credit, clock: o.clock, sharedServers: servers,
      pacer: { pacedWaitMs: FLEET_PACED_WAIT_MS },
    }),
    async close() {
      await servers.broker.close();
      servers.backend.server.close();
    },
  };
}
