// `osm`: the command-line entry (`npx osm ...`, `npm run osm -- ...`, `node --import tsx cli/osm.ts ...`).
import { exitQuietlyOnClosedPipe, main } from './main.ts';

exitQuietlyOnClosedPipe();
process.exit(await main(process.argv.slice(2)));
