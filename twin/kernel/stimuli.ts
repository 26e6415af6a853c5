// Stimuli a user can apply to a bench (scenario steps, Node-RED nodes, dashboard buttons all map onto these).

export type LoadKind =
  | 'resistive' | 'inductive' | 'capacitive' | 'motor' | 'smps' | 'lamp' | 'kettle' | 'rectifier';

/** A load on the meter's output. Give either `watts` (at `ratedVolts`, default 240 V) or `amps` (at the grid's Vrms). */
export interface LoadSpec {
  id: string;
  kind?: LoadKind;
  watts?: number;
  amps?: number;
  /** Displacement power factor, 0 < pf <= 1; the kind says whether it lags (inductive, motor) or leads (capacitive). */
  pf?: number;
  ratedVolts?: number;
}

/** A change of the supply. Omitted fields keep their value; `forUs` reverts the change after that long. */
export interface GridChange {
  vrms?: number;
  hz?: number;
  phaseDeg?: number;
  outage?: boolean;
  harmonics?: { order: number; percent: number; phaseDeg?: number }[];
  forUs?: number;
}
