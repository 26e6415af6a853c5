// osm-keypad: type keys on the meter's keypad, or a token generated for an amount (STS) or a value (OpenPAYGO).
// Virtual time passes while the keys are typed (120 ms held, 180 ms apart unless set otherwise).
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmKeypadNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        let rng = null;
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const session = runner.session();
                const entry = osm.keyEntry(config, function () { return rng || (rng = session.rngFor("osm-keypad:" + node.id)); }, msg.keys !== undefined ? msg.keys : msg.amount !== undefined ? msg.amount : msg.opaygo);
                runner.busy("typing " + entry.text);
                const t = await session.run(async function (bench) {
                    await bench.pressKeys(entry.keys, { holdMs: entry.holdMs, gapMs: entry.gapMs });
                    return bench.now();
                });
                delete msg.keys; delete msg.amount; delete msg.opaygo;
                msg.typed = entry.text;
                if (entry.token !== undefined) msg.token = entry.token;
                msg.time = t;
                msg.meter = session.info();
                runner.ok(entry.text + " at " + osm.formatTime(t));
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-keypad", OsmKeypadNode);
};
