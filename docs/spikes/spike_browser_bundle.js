// Spike: the vendored browser bundle (socket.io-client dist/socket.io.min.js) against the Rasa server,
// over a real websocket (Node 20 needs --experimental-websocket for a global WebSocket).
//   node --experimental-websocket docs/spikes/spike_browser_bundle.js /tmp/sio-pack/package/dist/socket.io.min.js http://localhost:5606 SESSION_ID
const [bundle, url, sessionId] = process.argv.slice(2);
const io = require(bundle);  // UMD: module.exports = io in CommonJS, window.io in a browser
const t0 = Date.now();
const log = (what, data) => console.log(JSON.stringify({t: (Date.now() - t0) / 1000, what, data}));
const socket = io(url, {transports: ["websocket"]});
socket.on("connect", () => {
  log("connect", {id: socket.id, transport: socket.io.engine.transport.name});
  socket.emit("session_request", {session_id: sessionId});
});
socket.on("connect_error", (e) => log("connect_error", String(e)));
socket.on("session_confirm", (id) => {
  log("session_confirm", id);
  socket.emit("user_uttered", {message: "hej", session_id: sessionId, customData: {language: "sv"}});
});
socket.on("bot_uttered", (m) => log("bot_uttered", m));
setTimeout(() => { socket.close(); process.exit(0); }, 15000);
