// osm-network: change the meter's cellular network and servers now (coverage, signal, latency, failed attaches,
// dropped connections, backend and broker up or down, backend faults), or queue a top-up a customer paid.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmNetworkNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const session = runner.session();
                const op = osm.networkOp(config, { network: msg.network, topup: msg.topup });
                const t = await session.run(function (bench) { osm.applyNetwork(bench, op); return bench.now(); });
                delete msg.network;
                if (op.action === "topup") msg.topup = op.amount;
                else msg.networkChange = op.change;
                msg.time = t;
                msg.meter = session.info();
                runner.ok(op.text + " at " + osm.formatTime(t));
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-network", OsmNetworkNode);
};
