'use strict';
// strophe.js in Node: its own Node build brings the DOM (@xmldom/xmldom) and `ws`; we add
// XMLHttpRequest for BOSH and swap in the recording WebSocket.
const strophe = require('strophe.js');
const { XMLHttpRequest } = require('./xhr-shim');
const { RecordingWebSocket } = require('./ws-shim');

globalThis.XMLHttpRequest = XMLHttpRequest;
globalThis.WebSocket = RecordingWebSocket;
// strophe logs every request at DEBUG; keep warnings and errors only.
strophe.Strophe.setLogLevel(strophe.Strophe.LogLevel.WARN);

module.exports = strophe;
