// Stimuli a user can apply to a bench (scenario steps, Node-RED nodes, dashboard buttons all map onto these).
// The shapes are defined once, by the plant models that consume them.
export type { LoadKind, LoadSpec } from '../../models/loads/load.ts';
export type { GridChange } from '../../models/grid/grid-source.ts';
