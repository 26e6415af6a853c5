// osm-accuracy: run the IEC 62053-21 class-1 accuracy suite on the twin's board and send the table and the verdict.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmAccuracyNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        node.on("input", function (msg, send, done) {
            runner.handle(msg, done, async function () {
                const job = osm.accuracyJob(config);
                runner.busy("running " + job.points + " points");
                const r = await osm.runAccuracy(job);
                const failing = r.result.points.filter(function (p) { return !p.pass; });
                const verdict = {
                    suite: runner.suite(),
                    name: config.name || "class 1 accuracy, " + job.label + ", " + job.points + " points",
                    status: r.result.pass ? "passed" : "failed",
                    message: r.result.pass ? r.result.points.length + " points within class 1" : failing.length + " of " + r.result.points.length + " points outside class 1",
                    timeUs: 0,
                    durationUs: 0,
                    details: failing.map(function (p) { return p.name + ": " + p.reasons.join("; "); }),
                    source: runner.source()
                };
                runner.announce(verdict);
                msg.payload = r.table;
                msg.verdict = verdict;
                if (r.result.pass) runner.ok(verdict.message); else runner.bad(verdict.message);
                send(msg);
            });
        });
    }
    RED.nodes.registerType("osm-accuracy", OsmAccuracyNode);
};
