// V8 heap tuning for a process that runs simulations (`osm`, `npm run bench`), applied once at start-up.
//
// V8 tracks object literals by allocation site and, when most of a site's objects outlive a young-generation
// collection, allocates all later ones straight in the old generation ("pretenuring"). A discrete-event simulation
// misleads that heuristic: records of a task parked on the virtual clock, or the streams and parser state of one
// in-process HTTP or MQTT connection, live across a collection or two and then die by the thousand. Born in the old
// generation, each dead one keeps what it points to in the young generation alive through every later young
// collection until the next full one: about 100 MiB a simulated day of a connected meter was carried this way
// (the old generation reached 65 MiB for 15-20 MiB in use). The project's own such literal (the clock's parked
// task) is a class instance now, which V8 never pretenures; the rest are inside Node's http and stream code, so the
// heuristic is turned off for the process.
//
// Objects of that middle lifetime still reach the old generation by the normal route, and die there. V8 lets the old
// generation grow to up to 4 times what the last full collection kept before it collects again (its factor for a
// heap limit of 2 GiB or more, the default here), so a day's peak depended on when the collections fell: 140-180
// MiB for the same connected day. A growth of 1.5 times keeps it near 150 MiB; the extra full collections of a
// 20 MiB heap cost about 1 % of the day's CPU time.
//
// Neither changes a result, only where and how often the garbage collector works.
import { setFlagsFromString } from 'node:v8';

let tuned = false;

/** Old-generation growth between full collections, percent (V8: 1 + percent / 100 times what the last one kept). */
export const HEAP_GROWING_PERCENT = 50;

/** Turn V8's allocation-site pretenuring off and set the old generation's growth; call once, before any simulation. */
export function tuneHeapForSimulation(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
