// osm-control: cut or restore the meter's own supply, open or close its terminal cover, or reset it to a fresh meter.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmControlNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const action = osm.controlAction(config.action, msg.action);
                const session = runner.session();
                let t;
                if (action === "reset") {
                    const seed = msg.seed === undefined ? undefined : Number(msg.seed);
                    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 4294967295)) {
                        throw new osm.NodeInputError("msg.seed: expected a whole number 0..4294967295, got " + JSON.stringify(msg.seed));
                    }
                    const used = await session.reset(seed);
                    t = session.now();
                    msg.seed = used;
                } else {
                    t = await session.run(function (bench) {
                        if (action === "power-cut") bench.power(false);
                        else if (action === "power-restore") bench.power(true);
                        else bench.tamper(action === "cover-open");
                        return bench.now();
                    });
                }
                delete msg.action;
                msg.control = action;
                msg.time = t;
                msg.meter = session.info();
                runner.ok(action + " at " + osm.formatTime(t));
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-control", OsmControlNode);
};
