import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, loadScenario, parseScenario } from './loader.ts';
import type { Step } from './schema.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bad = (name: string): string => join(here, 'fixtures', 'bad', name);

async function errorOf(file: string): Promise<ScenarioError> {
  try {
    await loadScenario(file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error(`${file} loaded without an error`);
}

function parse(yaml: string): ReturnType<typeof parseScenario> {
  return parseScenario(yaml, 'inline.yaml');
}

function parseError(yaml: string): ScenarioError {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('parsed without an error');
}

// Each malformed scenario: the exact position and a fragment of the message.
const BAD: [file: string, line: number, col: number, fragment: string][] = [
  ['unknown-step.yaml', 5, 5, "unknown step 'wait' (expected one of delay, set-load, grid, press-keys, power, tamper, expect, wait-until, log, network, topup)"],
  ['unknown-meter-key.yaml', 5, 3, "unknown key 'cretid' in meter (expected one of firmware"],
  ['duration-without-unit.yaml', 4, 12, "duration '5' needs a unit (us, ms, s, min, h, d)"],
  ['wrong-type.yaml', 4, 11, "meter.credit: expected a whole number, got string 'abc'"],
  ['missing-version.yaml', 1, 1, "missing required key 'version'"],
  ['unknown-observable.yaml', 5, 15, "unknown observable 'relais' (did you mean 'relay'?)"],
  ['observable-by-unit.yaml', 5, 19, "unknown observable 'watts' (did you mean 'power'?)"],
  ['unknown-observable-in-wait.yaml', 4, 19, "opaygo.active, telemetry.<key>; and the wait's timeout)"],
  ['bad-regex.yaml', 5, 12, 'invalid regex /[/: Unterminated character class'],
  ['negative-duration.yaml', 5, 12, "duration '-2s' must not be negative"],
  ['yaml-syntax.yaml', 5, 3, 'YAML syntax error: Flow map in block collection must be sufficiently indented'],
  ['unknown-profile.yaml', 4, 13, "unknown firmware profile 'feild' (expected one of shipped, field, fixed; did you mean 'field'?)"],
  ['unknown-knob.yaml', 4, 42, "unknown defect knob 'D49' (expected D1..D48)"],
  ['invalid-key.yaml', 4, 21, "invalid key 'x' at position 4"],
  ['wait-until-without-timeout.yaml', 5, 7, "missing required key 'timeout' in wait-until"],
  ['expect-for-zero.yaml', 5, 35, "expect.for: duration '0s' must be longer than 0"],
  ['expect-for-without-unit.yaml', 5, 35, "expect.for: duration '60' needs a unit (us, ms, s, min, h, d)"],
  ['expect-for-with-timeout.yaml', 5, 42, 'an expect with for has no timeout: it lasts exactly its for and fails at the first moment a check stops holding; to wait for the state first, put a wait-until with the timeout before it'],
  ['expect-for-beside.yaml', 6, 5, "'for' is beside 'expect' in this step, not inside it: a command's settings go in its mapping (- expect: { ..., for: 1min }, or indented under expect:)"],
  ['wait-until-timeout-beside.yaml', 6, 5, "'timeout' is beside 'wait-until' in this step, not inside it: a command's settings go in its mapping (- wait-until: { ..., timeout: 1min }, or indented under wait-until:)"],
  ['wait-until-with-for.yaml', 4, 49, "wait-until has no 'for': it ends as soon as its checks hold; to require a state to last, wait for it, then expect it with for (- expect: { relay: open, for: 1min })"],
  ['version-2.yaml', 2, 10, 'unsupported version 2 (this osm reads version 1)'],
  ['empty-steps.yaml', 3, 8, 'steps: the list is empty'],
  ['two-commands.yaml', 5, 5, "a step has one command, this one has 'delay' and 'log'"],
  ['bad-enum-value.yaml', 4, 22, "relay: expected closed or open, got 'shut'"],
  ['remove-unknown-load.yaml', 7, 15, "no load 'fridge' to remove (connected: heater)"],
  ['watts-and-amps.yaml', 4, 42, 'give either watts or amps, not both'],
  ['bad-clock.yaml', 4, 10, "'2026-02-30T08:00:00' is not a valid local time"],
  ['duplicate-key.yaml', 3, 1, "YAML syntax error: the key 'name' is given twice in the same mapping (give each key once)"],
  ['duplicate-observable.yaml', 4, 30, "YAML syntax error: the key 'relay' is given twice in the same mapping"],
  ['colon-in-plain-value.yaml', 1, 7, `YAML syntax error: a second ': ' on this line: a value that is a mapping goes in braces ({ field report: meter froze at 23:00 }), a text with ': ' in quotes ("field report: meter froze at 23:00")`],
  ['expect-without-braces.yaml', 4, 13, `YAML syntax error: a second ': ' on this line: a value that is a mapping goes in braces ({ relay: closed })`],
  ['steps-without-dashes.yaml', 5, 1, 'YAML syntax error: A block sequence may not be used as an implicit map key'],
  ['thousands-comma.yaml', 3, 20, "meter: keys must be plain names, got number 0 (a comma inside a number ends the value: write 5000, not 5,000)"],
  ['fix-in-meter.yaml', 3, 21, "unknown key 'fix' in meter (fix belongs to the firmware: firmware: { profile: field, fix: [D22] })"],
  ['approx-without-tolerance.yaml', 4, 23, 'approx needs a tolerance: tol (absolute) or tolPercent'],
  ['unknown-duration-unit.yaml', 4, 12, "unknown unit 'm' in duration '5m' (use us, ms, s, min, h, d; did you mean 'min'?)"],
  ['numeric-matcher-on-enum.yaml', 4, 22, 'relay: { min } applies to numbers only'],
  ['regex-global-flag.yaml', 4, 23, "regex flag 'g' is not supported"],
  ['grid-nothing-to-change.yaml', 4, 11, 'grid: nothing to change'],
  ['top-level-list.yaml', 1, 1, 'expected a mapping with name, version, meter, plant and steps at the top level, got a list'],
  ['unknown-top-key.yaml', 3, 1, "unknown key 'stpes' in the scenario (expected one of name, version, description, meter, plant, network, targets, steps; did you mean 'steps'?)"],
  ['watts-1e308.yaml', 4, 36, 'set-load.watts: 1e308 W at 240 V draws 4.17e305 A; a 5(80) A meter: at most 1 kA through the CT'],
  ['amps-million.yaml', 5, 27, 'plant.loads[0].amps: 1000000 A is out of range: a 5(80) A meter: at most 1 kA through the CT'],
  ['grid-vrms-1kv.yaml', 4, 17, 'plant.grid.vrms: 1000 V is out of range: a 240 V single-phase supply: 0 to 500 V'],
  ['grid-hz-low.yaml', 4, 17, 'grid.hz: 0.5 Hz is out of range: a 50 or 60 Hz supply: 40 to 70 Hz'],
  ['ct-ratio-huge.yaml', 3, 19, 'meter.ctRatio: 1e308 is out of range: a CT for a 5(80) A meter: a turns ratio from 100:1 to 10000:1'],
  ['rated-volts-low.yaml', 4, 51, 'set-load.ratedVolts: 5 V is out of range: an appliance for a 240 V supply is rated 100 to 500 V'],
  ['phase-huge.yaml', 4, 20, 'grid.phase: 1000000 degrees is out of range'],
  ['delay-too-long.yaml', 4, 12, "delay: duration '100001d' is too long: at most 100000d"],
  ['total-too-long.yaml', 5, 5, 'steps[1]: the scenario would run past 100000d of simulated time'],
  ['undefined-alias.yaml', 3, 8, "YAML error: the alias '*nope' refers to no anchor (define '&nope' before it)"],
  ['harmonic-twice.yaml', 4, 57, 'grid.harmonics[1].order: harmonic order 3 is given twice'],
  ['resistive-with-pf.yaml', 5, 45, 'set-load: a resistive load has pf 1 at the phasor level'],
  ['amps-at-zero-volts.yaml', 6, 15, "set-load: load 'h' gives amps, which are taken at the supply voltage, and the supply is at 0 V here"],
  ['credit-over-eeprom-without-credit.yaml', 5, 3, 'meter.credit-over-eeprom: says which credit wins over an --eeprom dump, but the scenario gives no meter.credit'],
  ['credit-over-eeprom-not-boolean.yaml', 3, 41, "meter.credit-over-eeprom: expected true or false, got string 'yes-please'"],
  ['control-bytes-key.yaml', 3, 1, "unknown key '\x01\x02\x1b[31mname' in the scenario"],
];

for (const [file, line, col, fragment] of BAD) {
  test(`reports ${file} at ${line}:${col} with "${fragment.slice(0, 50)}"`, async () => {
    const err = await errorOf(bad(file));
    assert.is(`${err.line}:${err.col}`, `${line}:${col}`);
    assert.ok(err.detail.includes(fragment), `message was: ${err.detail}`);
    assert.ok(err.message.startsWith(`${bad(file)}:${line}:${col}: `), err.message);
    assert.not.match(err.message, /\n/);
  });
}

test('has a test for every file in fixtures/bad', () => {
  const files = readdirSync(join(here, 'fixtures', 'bad')).filter((f) => f.endsWith('.yaml')).sort();
  assert.equal(files, BAD.map((b) => b[0]).sort());
});

test('a misspelt name beside a command is still an unknown step, not a setting written beside it', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - expect: { relay: closed }\n    nmae: check\n');
  assert.ok(err.detail.startsWith("unknown step 'nmae'"), err.detail);
});

test('reads meter.credit-over-eeprom as a boolean beside meter.credit, absent by default', () => {
  assert.is(parse('name: x\nversion: 1\nmeter: { credit: 5, credit-over-eeprom: true }\nsteps:\n  - delay: 1s\n').meter.creditOverEeprom, true);
  assert.is(parse('name: x\nversion: 1\nmeter: { credit: 5, credit-over-eeprom: false }\nsteps:\n  - delay: 1s\n').meter.creditOverEeprom, false);
  assert.is(parse('name: x\nversion: 1\nmeter: { credit: 5 }\nsteps:\n  - delay: 1s\n').meter.creditOverEeprom, undefined);
});

test('accepts a delay of 100000d, the longest the virtual clock counts exactly', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - delay: 100000d\n');
  assert.is((s.steps[0] as Extract<Step, { command: 'delay' }>).us, 100000 * 86400e6);
});

test('accepts every range of a real installation at both ends', () => {
  const s = parse([
    'name: x', 'version: 1', 'meter: { ctRatio: 10000 }',
    'plant:', '  grid: { vrms: 500, hz: 70 }', '  loads: [{ id: a, amps: 1000 }, { id: b, watts: 100000, ratedVolts: 100 }]',
    'steps:', '  - grid: { vrms: 0, hz: 40, phase: -360 }', '  - set-load: { id: c, kind: motor, pf: 0.5, watts: 250000, ratedVolts: 500 }',
  ].join('\n'));
  assert.is(s.meter.ctRatio, 10000);
  assert.is(s.plant.loads.length, 2);
});

test('reports a missing file without a position', async () => {
  const err = await errorOf(join(here, 'fixtures', 'no-such-scenario.yaml'));
  assert.is(err.line, 0);
  assert.match(err.message, /no-such-scenario\.yaml: cannot read the scenario: no such file/);
});

test('reports an empty file at 1:1', () => {
  const err = parseError('');
  assert.is(err.message, 'inline.yaml:1:1: the scenario is empty (expected a mapping with name, version, meter, plant and steps)');
});

test('fills the documented defaults for meter and plant', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - delay: 1s\n');
  assert.is(s.meter.firmware.profile, 'field');
  assert.is(s.meter.build.mode, 'sts');
  assert.is(s.meter.eeprom, 'virgin');
  assert.is(s.meter.credit, undefined);
  assert.is(s.meter.clock.text, '2026-01-01T00:00:00');
  assert.is(s.meter.rtc, 'running');
  assert.is(s.meter.cover, 'closed');
  assert.equal(s.plant, { grid: { vrms: 230, hz: 50, harmonics: [] }, fidelity: 'phasor', loads: [] });
});

test('resolves the long firmware form with fix and defects into the defect set', () => {
  const s = parse('name: x\nversion: 1\nmeter:\n  firmware: { profile: fixed, defects: [D26] }\nsteps:\n  - delay: 1s\n');
  assert.equal([...s.meter.build.defects], ['D26']);
  const f = parse('name: x\nversion: 1\nmeter:\n  firmware: { profile: field, fix: [D6, D11] }\nsteps:\n  - delay: 1s\n');
  assert.ok(!f.meter.build.defects.has('D11'));
  assert.ok(!f.meter.build.defects.has('D6'));
  assert.ok(f.meter.build.defects.has('D12'));
});

test('merges meter.mode into the firmware selection', () => {
  const s = parse('name: x\nversion: 1\nmeter: { firmware: field, mode: opaygo-time }\nsteps:\n  - delay: 1s\n');
  assert.is(s.meter.firmware.mode, 'opaygo-time');
  assert.is(s.meter.build.mode, 'opaygo-time');
});

test('refuses a meter.mode that contradicts firmware.mode', () => {
  const err = parseError('name: x\nversion: 1\nmeter:\n  firmware: { profile: field, mode: sts }\n  mode: none\nsteps:\n  - delay: 1s\n');
  assert.is(`${err.line}:${err.col}`, '5:9');
  assert.match(err.detail, /contradicts firmware.mode 'sts'/);
});

test('shipped firmware boots mode none whatever mode is asked (D1)', () => {
  const s = parse('name: x\nversion: 1\nmeter: { firmware: shipped, mode: sts }\nsteps:\n  - delay: 1s\n');
  assert.is(s.meter.build.mode, 'none');
});

test('parses durations of every unit into microseconds', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - delay: 250us\n  - delay: 500ms\n  - delay: 1.5s\n  - delay: 10min\n  - delay: 2h\n  - delay: 1d\n');
  assert.equal(s.steps.map((st) => (st as Extract<Step, { command: 'delay' }>).us), [250, 500_000, 1_500_000, 600e6, 7200e6, 86400e6]);
});

test('reads an expect\'s for as a duration beside its checks; without for an expect has none', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - expect: { relay: open, for: 1.5min }\n  - expect: { relay: open }\n');
  const [a, b] = s.steps as Extract<Step, { command: 'expect' }>[];
  assert.equal([a.forUs, a.forText, a.checks.map((c) => c.observable)], [90_000_000, '1.5min', ['relay']]);
  assert.equal([b.forUs, b.forText], [undefined, undefined]);
});

test('an expect\'s for counts toward the longest run the virtual clock can take', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - delay: 60000d\n  - expect: { relay: open, for: 60000d }\n');
  assert.match(err.detail, /steps\[1\]: the scenario would run past 100000d of simulated time/);
});

test('ignores spaces in press-keys and converts hold and gap to ms', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - press-keys: "*1091 3015 #"\n  - press-keys: { keys: "12", hold: 200ms, gap: 1s }\n');
  const a = s.steps[0] as Extract<Step, { command: 'press-keys' }>;
  const b = s.steps[1] as Extract<Step, { command: 'press-keys' }>;
  assert.equal(a.keys.join(''), '*10913015#');
  assert.is(b.holdMs, 200);
  assert.is(b.gapMs, 1000);
});

test('points at the right column of a bad key in a quoted string with spaces', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - press-keys: "12 3a"\n');
  assert.is(`${err.line}:${err.col}`, '4:22');
  assert.ok(err.detail.includes(`invalid key 'a' at position 5 of "12 3a" (keys are upper case: 'A')`), err.detail);
});

test('a grid change held for 0s and a key hold of 0ms are refused: both must be longer than 0', () => {
  const grid = parseError('name: x\nversion: 1\nsteps:\n  - grid: { vrms: 180, for: 0s }\n');
  assert.is(`${grid.line}:${grid.col}`, '4:29');
  assert.ok(grid.detail.includes("grid.for: duration '0s' must be longer than 0"), grid.detail);
  const hold = parseError('name: x\nversion: 1\nsteps:\n  - press-keys: { keys: "1", hold: 0ms }\n');
  assert.ok(hold.detail.includes("duration '0ms' must be longer than 0"), hold.detail);
});

test('compiles every matcher form', () => {
  const s = parse([
    'name: x', 'version: 1', 'steps:', '  - expect:',
    '      relay: closed', '      lcd: "/CREDIT/i"', '      credit: { approx: 1, tol: 0.2 }',
    '      voltage: { approx: 230, tolPercent: 2 }', '      energy: { min: 0, max: 3 }', '      led.red: { not: "on" }',
    '      telemetry.energy: 4',
  ].join('\n'));
  const st = s.steps[0] as Extract<Step, { command: 'expect' }>;
  assert.equal(st.checks.map((c) => c.matcher), [
    { kind: 'equals', value: 'closed' },
    { kind: 'regex', source: 'CREDIT', flags: 'i' },
    { kind: 'approx', value: 1, tol: 0.2, percent: false },
    { kind: 'approx', value: 230, tol: 2, percent: true },
    { kind: 'range', min: 0, max: 3 },
    { kind: 'not', matcher: { kind: 'equals', value: 'on' } },
    { kind: 'equals', value: 4 },
  ]);
  assert.equal(st.checks.map((c) => c.pos.line), [5, 6, 7, 8, 9, 10, 11]);
});

test('records the position of every step command', () => {
  const s = parse('name: x\nversion: 1\nsteps:\n  - delay: 1s\n  - name: cut\n    power: cut\n');
  assert.equal(s.steps.map((st) => [st.pos.line, st.pos.col, st.name]), [[4, 5, undefined], [6, 5, 'cut']]);
});

test('refuses telemetry without a key', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - expect: { telemetry: 3 }\n');
  assert.match(err.detail, /needs a key: telemetry.<key>/);
});

test('keeps track of loads: a removed load cannot be removed twice', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - set-load: { id: a, watts: 10 }\n  - set-load: { id: a, remove: true }\n  - set-load: { id: a, remove: true }\n');
  assert.is(err.line, 6);
  assert.match(err.detail, /no load 'a' to remove \(no load is connected\)/);
});

test('reports a step that is not a mapping', () => {
  const err = parseError('name: x\nversion: 1\nsteps:\n  - delay\n');
  assert.is(`${err.line}:${err.col}`, '4:5');
  assert.match(err.detail, /expected a step like '- delay: 2s'/);
});

test('every scenario of the library loads', async () => {
  const dir = join(here, 'library');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 7, `only ${files.length} library scenarios`);
  for (const f of files) {
    const s = await loadScenario(join(dir, f));
    assert.ok(s.steps.length > 0, f);
  }
});


const TARGETS_HEAD = 'name: t\nversion: 1\n';

test('targets: [twin, rig] is read and kept', () => {
  const s = parse(`${TARGETS_HEAD}targets: [twin, rig]\nsteps:\n  - expect: { relay: closed }\n`);
  assert.equal(s.targets, ['twin', 'rig']);
});

test('an unknown target is an error at its position', () => {
  const e = parseError(`${TARGETS_HEAD}targets: [twin, bench]\nsteps:\n  - delay: 1s\n`);
  assert.match(e.message, /inline\.yaml:3:17: targets: unknown target/);
});

test('a scenario for the rig that asserts twin-only observables is refused at load, with every name', () => {
  const e = parseError(`${TARGETS_HEAD}targets: [rig]\nsteps:\n  - expect: { relay: closed, lcd: "x" }\n  - expect: { credit: 5 }\n`);
  assert.match(e.message, /targets names rig, but these expectations only the twin can observe: lcd \(line 5\), credit \(line 6\)/);
});

test.run();
