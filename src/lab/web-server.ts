// The lab's real server: an HTTP server that answers every request with its own name,
// as the seeds' nginx/tomcat pages say "web1 192.168.203.93", so the client can tell
// which real server served it.
//
//   node web-server.js --name rs1 --port 80 [--lab DIR]
//
// --lab is not read: it marks the process as the lab's, so `halb lab down` can find it.
import { createServer } from 'node:http';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

const name = arg('name', 'web');
const port = Number(arg('port', '80'));
const body = `${name}\n`;
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  req.resume();
});
// Long enough for the long-lived drill's connections to sit through a failover's silence
// (Master_Down_Interval and TCP's retransmission backoff) without the server closing them.
server.keepAliveTimeout = 60_000;
server.listen(port, '0.0.0.0', () => process.stdout.write(`${name} listening on :${port}\n`));
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
