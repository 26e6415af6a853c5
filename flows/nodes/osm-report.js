// osm-report: collect the verdicts of a flow (msg.verdict) and write them as JUnit XML and an HTML page when a
// message with msg.complete arrives (and when the flow stops with verdicts not yet written, with the steps the stop
// interrupted among them).
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmReportNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        const runner = new osm.NodeRunner(RED, node, config);
        let verdicts = [];
        let written = true;
        // the nodes whose verdicts can reach this one (wires, link nodes), as the flow was when this node started
        const all = [];
        RED.nodes.eachNode(function (n) { all.push(n); });
        const feeders = osm.feedersOf(node.id, all);
        // the verdict messages on their way (on a wire, in a node between) from those nodes to this one
        const transit = osm.verdictsInTransit(RED);
        const route = new Set(feeders).add(node.id);
        // the verdicts this node has been sent, so that none is taken twice when the flow stops
        const received = new WeakSet();

        function write() {
            const s = osm.reportSettings(config);
            const files = [];
            if (s.junit) { osm.writeWhole(s.junit, osm.junitXml(s.title, verdicts)); files.push(s.junit); }
            if (s.html) { osm.writeWhole(s.html, osm.htmlReport(s.title, verdicts)); files.push(s.html); }
            written = true;
            return { summary: osm.summarize(verdicts), files: files, verdicts: verdicts.slice() };
        }

        node.on("input", function (msg, send, done) {
            transit.received(node.id, msg);
            runner.handle(msg, done, function () {
                const incoming = Array.isArray(msg.verdict) ? msg.verdict : msg.verdict === undefined ? [] : [msg.verdict];
                for (const v of incoming) {
                    if (!osm.isVerdict(v)) throw new osm.NodeInputError("msg.verdict: expected { suite, name, status: passed|failed|error, ... } as osm-expect, osm-scenario and osm-accuracy send");
                }
                if (incoming.length === 0 && !msg.complete) throw new osm.NodeInputError("msg.verdict: nothing to collect (send the output of osm-expect, osm-scenario or osm-accuracy, or msg.complete to write)");
                for (const v of incoming) { verdicts.push(v); received.add(v); }
                if (incoming.length) written = false;
                const sum = osm.summarize(verdicts);
                const text = sum.passed + " passed, " + (sum.failed + sum.errors) + " failed";
                if (msg.complete) {
                    const r = write();
                    msg.payload = r;
                    verdicts = [];
                    if (r.summary.failed + r.summary.errors > 0 || r.summary.total === 0) runner.bad("written: " + text); else runner.ok("written: " + text);
                    send(msg);
                } else if (sum.failed + sum.errors > 0) runner.bad(text);
                else runner.ok(text, "ring");
            });
        });
        // A stop closes this node before the meters: their waits end only then, and the verdicts of the nodes that
        // were waiting (osm-expect, osm-wait: "interrupted ...") are taken here, since their messages no longer arrive.
        // So are the verdicts decided before the stop that it left on their way here: queued for a node that has
        // closed, or held by one (a delay), their messages go no further.
        node.on("close", function (done) {
            const pending = osm.verdictsInFlight(RED.events).pending(feeders);
            // the meters close after this node, in the same turn of the stop; the messages queued for this node
            // before the stop are delivered before the next turn
            setImmediate(function () {
                pending.interrupted().then(function (late) {
                    // an interrupted osm-expect also sent its verdict (it went no further than its first hop): once
                    for (const v of transit.onTheWay(route).concat(late)) {
                        if (received.has(v)) continue;
                        received.add(v);
                        verdicts.push(v);
                        written = false;
                    }
                    if (!written && verdicts.length && !runner.configError) write();
                }).catch(function (err) { node.error("could not write the report: " + err.message); }).then(function () { done(); });
            });
        });
    }
    RED.nodes.registerType("osm-report", OsmReportNode);
};
