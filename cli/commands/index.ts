// The commands of `osm`. To add one, write `cli/commands/<name>.ts` whose default export is a Command
// (`{ name, summary, usage, run(argv): Promise<number> }`, cli/command.ts) and add one line below.
// A module that fails to load does not take the others down: its command reports the load error when used.
import type { Command } from '../command.ts';

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

export const COMMANDS: readonly Command[] = [
  await load('./run.ts'),
  await load('./demo.ts'),
  await load('./accuracy.ts'),
  await load('./calibrate.ts'),
  await load('./eeprom.ts'),
  await load('./opaygo.ts'),
  await load('./sts.ts'),
  await load('./frontend.ts'),
];
