// osm-expect: check what the meter shows, now, within a timeout of virtual time, or for a while (`for: 1min` among
// the checks: they must hold now and at every moment of that long). First output: the checks held;
// second output: they did not (with the expected and observed values). Both carry msg.verdict for osm-report.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmExpectNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const spec = msg.expect !== undefined ? osm.parseChecks(msg.expect, config.timeout) : osm.parseChecks(config.checks, config.timeout);
                const session = runner.session();
                // a stop of the flow ends the wait: the report, closing then, takes the verdict from here
                const flight = osm.verdictsInFlight(RED.events).begin({ suite: runner.suite(), name: config.name || spec.text, source: runner.source() }, session);
                try {
                    if (spec.timeoutUs > 0) runner.busy("waiting up to " + spec.timeoutText + ": " + spec.text);
                    if (spec.forUs > 0) runner.busy("holding for " + spec.forText + ": " + spec.text);
                    const out = await session.run(function (bench) { return osm.runChecks(bench, spec, function () { return session.closed; }); });
                    const verdict = {
                        suite: runner.suite(),
                        name: config.name || spec.text,
                        status: out.held ? "passed" : out.interrupted ? "error" : "failed",
                        message: out.held ? spec.text + (spec.forUs > 0 ? " held for " + spec.forText + ", until " : " held at ") + out.time : out.reason + " (at " + out.time + ")",
                        timeUs: out.timeUs,
                        durationUs: out.waitedUs,
                        details: out.results.map(function (r) { return (r.held ? "ok   " : "FAIL ") + r.observable + ": expected " + r.expected + ", observed " + r.observedText; }),
                        source: runner.source()
                    };
                    runner.announce(verdict);
                    delete msg.expect;
                    msg.verdict = verdict;
                    msg.payload = { held: out.held, time: out.timeUs, checks: out.results };
                    if (out.held) { runner.ok("held at " + out.time); send([msg, null]); }
                    else { runner.bad((out.interrupted ? "" : "failed: ") + out.reason); send([null, msg]); }
                    flight.settle(verdict);
                } finally { flight.settle(null); }
            });
        });
    }
    RED.nodes.registerType("osm-expect", OsmExpectNode);
};
