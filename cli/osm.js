#!/usr/bin/env node
// Entry point for `npx osm`: registers the TypeScript loader, then runs the CLI (cli/main.ts).
// `osm --help` and `osm --version` are answered here from cli/commands/commands.json and package.json without loading
// the TypeScript loader (most of a start-up's CPU time); the text is the same as main.ts's (cli/osm-fast.test.ts).
// The light commands (sts, opaygo, eeprom: cli/light.ts) run from their prebuilt bundle in cli/dist/ when it is fresh
// (built at `npm install`, no source newer since), else from the sources through tsx like every other command.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const fast = argv.length === 1 && ['--help', '-h', 'help', '--version'].includes(argv[0]);
if (fast) {
  const json = (rel) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
  if (argv[0] === '--version') {
    let version = 'unknown';
    try { version = json('../package.json').version ?? 'unknown'; } catch { /* as main.ts: unknown */ }
    process.stdout.write(`osm ${version}\n`);
  } else {
    const commands = json('./commands/commands.json');
    const width = Math.max(8, ...commands.map((c) => c.name.length)) + 2;
    process.stdout.write(`osm: the OpenSmartMeter Twin, a simulator and digital twin of the EnAccess OpenSmartMeter prepaid meter

Usage: osm <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  --help, -h    show this help
  --version     show the version

'osm help <command>' or 'osm <command> --help' shows a command's options.
`);
  }
} else {
  const bundle = new URL('./dist/light.mjs', import.meta.url);
  if (process.env.OSM_NO_BUNDLE !== '1' && existsSync(bundle)) {
    const light = await import(bundle.href);
    if (light.servesFresh(argv, fileURLToPath(new URL('..', import.meta.url)))) await light.runLight(argv);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('./osm.ts');
}
