// osm-grid: change the mains supply of the meter (voltage, frequency, harmonics, sag, swell, outage) now.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmGridNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const session = runner.session();
                const { change, text } = osm.gridChange(config, session.setup, msg.grid);
                const t = await session.run(function (bench) { bench.setGrid(change); return bench.now(); });
                delete msg.grid;
                msg.gridChange = change;
                msg.time = t;
                msg.meter = session.info();
                runner.ok(text + " at " + osm.formatTime(t));
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-grid", OsmGridNode);
};
