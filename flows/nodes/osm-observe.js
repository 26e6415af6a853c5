// osm-observe: what the meter shows, as messages: relay, LEDs, buzzer, LCD, readings, telemetry; on every change
// or sampled at a period of virtual time. An input message asks for the current values at once.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmObserveNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        let stop = null;
        if (!runner.configError) {
            const s = osm.observeSettings(config);
            const session = runner.session();
            stop = session.observe({
                names: s.names,
                mode: s.mode,
                periodUs: s.periodUs,
                onValue: function (name, value, t) {
                    node.send({ topic: name, payload: value, time: t });
                    runner.ok(name + " " + (typeof value === "string" ? JSON.stringify(value.length > 24 ? value.slice(-24) : value) : String(value)) + " at " + osm.formatTime(t));
                }
            });
        }
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const s = osm.observeSettings(config);
                const session = runner.session();
                const values = await session.read(s.names);
                const t = session.now();
                for (const name of s.names) send(Object.assign(RED.util.cloneMessage(msg), { topic: name, payload: values[name], time: t }));
            });
        });
        node.on("close", function () { if (stop) stop(); });
    }
    RED.nodes.registerType("osm-observe", OsmObserveNode);
};
