// `osm`: the command-line entry (`npx osm ...`, `npm run osm -- ...`, `node --import tsx cli/osm.ts ...`).
import { main } from './main.ts';

process.exit(await main(process.argv.slice(2)));
