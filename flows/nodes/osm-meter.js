// osm-meter: the meter a flow drives (a config node). It owns one twin of the OpenSmartMeter on a virtual clock
// (on the simulated board, the emulated Firmata board, or a real rig board); the other osm-* nodes act on it one
// message at a time, and virtual time passes only while a node waits.
module.exports = function (RED) {
    "use strict";
    const osm = require("../dist/osm-nodes.cjs");

    function OsmMeterNode(config) {
        RED.nodes.createNode(this, config);
        const node = this;
        node.name = config.name;
        try {
            node.setup = osm.parseMeterSettings(config);
            node.session = new osm.MeterSession(node.setup, "osm-meter " + (node.name ? "\"" + node.name + "\" " : "") + "(" + node.id + ")");
        } catch (err) {
            node.configError = err.message;
            node.error("invalid configuration: " + err.message, { error: { message: "invalid configuration: " + err.message, source: { id: node.id, type: node.type, name: node.name } } });
        }
        node.on("close", function (removed, done) {
            if (!node.session) { done(); return; }
            node.session.close().then(function () { done(); }, function (err) { node.warn(err.message); done(); });
        });
    }
    RED.nodes.registerType("osm-meter", OsmMeterNode);
};
