// Everything the osm-* Node-RED nodes (flows/nodes/*.js) use, compiled into one CommonJS file
// (flows/dist/osm-nodes.cjs, see flows/build.ts) so that a stock Node-RED loads the nodes without TypeScript.
export { MeterSession, type Observer } from './meter-session.ts';
export { parseMeterSettings, targetText, TARGETS, type MeterSetup } from './meter-settings.ts';
export { NodeInputError } from './step-parse.ts';
export { parseChecks, runChecks } from './checks.ts';
export { applyLoad, controlAction, gridChange, keyEntry, loadOp, waitSpec } from './stimuli.ts';
export { applyNetwork, networkOp } from './network.ts';
export { LOAD_LIBRARY, LOAD_PROFILES } from './load-library.ts';
export { scenarioItems, runScenarioItem, libraryDir } from './scenario-run.ts';
export { accuracyJob, runAccuracy } from './accuracy-run.ts';
export { htmlReport, isVerdict, junitXml, summarize, type Verdict } from './verdict.ts';
export { observeSettings, reportSettings, validateNode, NODE_TYPES, NEEDS_METER } from './validate.ts';
export { NodeRunner, VERDICT_EVENT, timeText } from './node-runner.ts';
export { writeWhole } from './write-file.ts';
export { feedersOf } from './flow-graph.ts';
export { verdictsInFlight } from './verdicts-in-flight.ts';
export { verdictsInTransit } from './verdicts-in-transit.ts';
export { formatTime } from '../../twin/kernel/clock.ts';
