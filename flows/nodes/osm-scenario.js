// osm-scenario: run scenario files (the library, one file, or YAML written here), each on a fresh meter on the
// target of the selected osm-meter (the twin when none), and send one message per scenario with its result and
// verdict; the last one has msg.complete set.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmScenarioNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        let closing = false;
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const items = osm.scenarioItems(config, msg.scenario);
                const meter = config.meter ? RED.nodes.getNode(config.meter) : null;
                if (config.meter && (!meter || !meter.setup)) throw new Error("meter: the osm-meter node '" + config.meter + "' is missing or invalid");
                const seed = meter ? meter.setup.seed : 1;
                let failed = 0;
                for (let i = 0; i < items.length && !closing; i++) {
                    runner.busy((i + 1) + "/" + items.length + " running");
                    const item = items[i];
                    const r = meter
                        ? await meter.session.runAlone(function () { return osm.runScenarioItem(item, seed, runner.suite(), runner.source(), meter.setup); })
                        : await osm.runScenarioItem(item, seed, runner.suite(), runner.source());
                    if (r.verdict.status !== "passed") failed++;
                    runner.announce(r.verdict);
                    const out = RED.util.cloneMessage(msg);
                    delete out.scenario;
                    out.payload = r.result || null;
                    out.verdict = r.verdict;
                    out.index = i;
                    out.count = items.length;
                    if (i === items.length - 1) out.complete = true;
                    send(out);
                }
                if (failed) runner.bad(failed + " of " + items.length + " failed");
                else runner.ok(items.length + " passed");
            });
        });
        node.on("close", function () { closing = true; });
    }
    RED.nodes.registerType("osm-scenario", OsmScenarioNode);
};
