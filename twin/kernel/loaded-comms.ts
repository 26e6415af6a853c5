// Where the comms stack (twin/comms/comms.ts) leaves its Comms class when a process loads it. A bench with a
// `network` builds its communications at once when they are here (the dashboard, `osm serve` and whatever imported
// the comms already), and otherwise loads them by import() when it starts (bench.ts): a run without a network never
// loads them. This module imports nothing, so that comms.ts can reach it without an import circle through bench.ts;
// hence `unknown` here and the class's type in bench.ts.
let commsClass: unknown;

/** Called once by twin/comms/comms.ts as it loads. */
export function registerCommsClass(cls: unknown): void {
  commsClass = cls;
}

/** The Comms class if twin/comms/comms.ts is loaded in this process, else undefined. */
export function loadedCommsClass(): unknown {
  return commsClass;
}
