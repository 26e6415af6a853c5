// `osm`: the command-line entry (`npx osm ...`, `npm run osm -- ...`, `node --import tsx cli/osm.ts ...`).
import { exitAfterOutput, exitQuietlyOnClosedPipe, main } from './main.ts';
import { tuneHeapForSimulation } from '../twin/kernel/heap-tuning.ts';

tuneHeapForSimulation();
exitQuietlyOnClosedPipe();
await exitAfterOutput(await main(process.argv.slice(2)));
