// Child process of the dashboard benchmark: N websocket clients that read everything a browser would (state, LCD,
// trends, waveform frames) and, on SIGTERM or stdin closing, print one JSON line with what they received.
//   node --import tsx bench/dashboard-clients.ts <ws url> <n>
import WebSocket from 'ws';

const [url, nText] = process.argv.slice(2);
const n = Number(nText);
if (!url || !(n > 0)) { process.stderr.write('usage: dashboard-clients.ts <ws url> <n>\n'); process.exit(2); }
const totals = { clients: n, open: 0, messages: 0, frames: 0, bytes: 0, snapshots: 0, closedEarly: 0 };
const sockets: WebSocket[] = [];
for (let k = 0; k < n; k++) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  ws.on('open', () => { totals.open++; if (totals.open === n) process.stdout.write('ready\n'); });
  ws.on('message', (data, isBinary) => {
    totals.messages++;
    totals.bytes += (data as Buffer).length;
    if (isBinary) totals.frames++;
    else if ((data as Buffer).includes('"type":"snapshot"')) totals.snapshots++;
  });
  ws.on('close', () => { totals.closedEarly++; });
  ws.on('error', () => {});
}
const finish = (): void => {
  process.stdout.write(JSON.stringify(totals) + '\n');
  for (const ws of sockets) ws.terminate();
  process.exit(0);
};
process.on('SIGTERM', finish);
process.stdin.on('end', finish);
process.stdin.resume();
