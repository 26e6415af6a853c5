// osm-wait: let virtual time pass on the meter, a fixed time or a seeded random time between min and max.
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
                const t = await session.run(async function (bench) { await session.wait(bench, us); return bench.now(); });
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
