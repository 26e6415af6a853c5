// osm-wait: let virtual time pass on the meter, a fixed time or a seeded random time between min and max. A wait
// that a stop of the flow cuts short sends nothing on; it announces a verdict (error) saying where it stopped.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmWaitNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        let rng = null;
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const spec = osm.waitSpec(config, msg.wait);
                const session = runner.session();
                if (spec.kind === "random" && !rng) rng = session.rngFor("osm-wait:" + node.id);
                const us = spec.kind === "fixed" ? spec.us : spec.minUs + Math.floor(rng.next() * (spec.maxUs - spec.minUs + 1));
                runner.busy("waiting " + osm.formatTime(us));
                // a stop of the flow ends the wait: an osm-report it feeds, closing then, says where the run stopped
                const step = { suite: runner.suite(), name: config.name || "wait " + osm.formatTime(us), source: runner.source() };
                const flight = osm.verdictsInFlight(RED.events).begin(step, session);
                let t0 = 0;
                let t;
                try {
                    t = await session.run(async function (bench) { t0 = bench.now(); await session.wait(bench, us); return bench.now(); });
                    if (session.closed && t - t0 < us) {
                        const verdict = Object.assign({}, step, {
                            status: "error",
                            message: "interrupted: the flow was stopped after " + osm.formatTime(t - t0) + " of the " + osm.formatTime(us) + " wait (at " + osm.formatTime(t) + ")",
                            timeUs: t,
                            durationUs: t - t0
                        });
                        runner.announce(verdict);
                        runner.bad("interrupted after " + osm.formatTime(t - t0) + " of " + osm.formatTime(us));
                        flight.settle(verdict);
                        return;
                    }
                } finally { flight.settle(null); }
                delete msg.wait;
                msg.waited = us;
                msg.time = t;
                msg.meter = session.info();
                runner.ok("waited " + osm.formatTime(us) + ", now " + osm.formatTime(t));
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-wait", OsmWaitNode);
};
