// `osm`: the command-line entry (`npx osm ...`, `npm run osm -- ...`, `node --import tsx cli/osm.ts ...`).
import { EXIT_PIPE_CLOSED, main } from './main.ts';

// A reader that goes away (`osm demo | head -2`) ends the command quietly, as any Unix tool: exit 141 (SIGPIPE).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_PIPE_CLOSED);
    throw err;
  });
}

process.exit(await main(process.argv.slice(2)));
