// osm-load: connect, change or disconnect a load on the meter's output, or start a load profile.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmLoadNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const op = osm.loadOp(config, msg.load);
                const session = runner.session();
                const t = await session.run(function (bench) { osm.applyLoad(bench, op); return bench.now(); });
                delete msg.load;
                msg.loadChange = op.action === "set" ? op.load : { id: op.id, action: op.action, profile: op.name };
                msg.time = t;
                msg.meter = session.info();
                runner.ok(op.text);
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-load", OsmLoadNode);
};
