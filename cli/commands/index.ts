// The commands of `osm`. To add one, write `cli/commands/<name>.ts` whose default export is a Command
// (`{ name, summary, usage, run(argv): Promise<number> }`, cli/command.ts) and add one line below with its name and
// summary (index.test.ts checks they match the module's). A command's module is imported only when that command is
// asked for, so `osm --help` and a light command start without loading the twin; a module that fails to load does not
// take the others down: its command reports the load error when used.
import type { Command, CommandEntry } from '../command.ts';

async function load(path: string): Promise<Command> {
  const url = new URL(path, import.meta.url).href;
  try {
    const mod = (await import(url)) as { default?: unknown };
    return asCommand(mod.default, path);
  } catch (err) {
    const name = path.replace(/^.*\//, '').replace(/\.ts$/, '');
    const why = (err as Error)?.message?.split('\n')[0] ?? String(err);
    return {
      name,
      summary: `(unavailable: ${why})`,
      usage: `osm ${name} could not be loaded from cli/commands/${path.slice(2)}: ${why}`,
      run: async () => { throw new Error(`command '${name}' could not be loaded: ${why}`, { cause: err }); },
    };
  }
}

function asCommand(c: unknown, path: string): Command {
  const o = c as Partial<Command> | undefined;
  if (!o || typeof o.name !== 'string' || typeof o.summary !== 'string' || typeof o.usage !== 'string' || typeof o.run !== 'function') {
    throw new Error(`${path} must export default { name, summary, usage, run(argv) }`);
  }
  return o as Command;
}

function entry(name: string, summary: string, path: string): CommandEntry {
  return { name, summary, load: () => load(path) };
}

export const COMMANDS: readonly CommandEntry[] = [
  entry('run', 'run a scenario and check its expectations (exit 0 held, 1 failed, 2 invalid)', './run.ts'),
  entry('demo', 'live workshop demo in the terminal: LCD, relay, LEDs, readings, keypad (what npm start runs)', './demo.ts'),
  entry('accuracy', 'IEC 62053-21 class-1 accuracy suite on the virtual bench: error table, what-ifs, yield (exit 0 pass, 1 fail, 2 invalid)', './accuracy.ts'),
  entry('calibrate', 'application-note calibration of a drawn unit on the virtual bench; prints the new registers and CS1/CS2', './calibrate.ts'),
  entry('eeprom', 'show or make an AT24C32 dump (4096 bytes) for osm run --eeprom', './eeprom.ts'),
  entry('opaygo', 'generate, decode and check OpenPAYGO tokens (spec or shipped decoder)', './opaygo.ts'),
  entry('sts', "generate and decode the meter's 20-character keypad (\"STS\") tokens", './sts.ts'),
];
