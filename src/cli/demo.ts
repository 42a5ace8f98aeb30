// `halb demo` (what `npm start` runs): three small web servers on loopback behind the
// virtual server of examples/demo.conf, served by the daemon with no root needed.
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

export const DEMO_CONFIG = fileURLToPath(new URL('../../../examples/demo.conf', import.meta.url));
export const DEMO_BACKEND_PORTS = [9001, 9002, 9003] as const;

function backend(port: number, name: string): Promise<Server> {
  const srv = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from ${name} (127.0.0.1:${port}) ${req.method} ${req.url}\n`);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('run a live demo on loopback: three web backends behind 127.0.0.1:8080 (no root needed)')
    .option('-f, --use-file <FILE>', 'configuration to serve', DEMO_CONFIG)
    .option('--control-socket <PATH>', 'control socket', join(tmpdir(), 'halb-demo', 'halb.sock'))
    .action(async (o: { useFile: string; controlSocket: string }) => {
      const { runDaemon } = await import('./run-daemon.js');
      const { createLogger } = await import('../daemon/logger.js');
      const log = createLogger({ format: 'text' });
      const servers = await Promise.all(DEMO_BACKEND_PORTS.map((p, i) => backend(p, `backend-${i + 1}`)));
      mkdirSync(join(o.controlSocket, '..'), { recursive: true });
      // The demo serves loopback backends as a full-NAT proxy: no root, whatever the kernel has.
      await runDaemon({ configFile: o.useFile, configId: 'demo', controlSocket: o.controlSocket, logFormat: 'text', logLevel: 'info', dataplane: 'proxy' }, log);
      process.on('exit', () => { for (const s of servers) s.close(); });
      process.stdout.write([
        '',
        'halb demo is running: virtual server 127.0.0.1:8080 -> backends 127.0.0.1:9001-9003 (rr)',
        '  curl http://127.0.0.1:8080/',
        `  npx halb ctl --control-socket ${o.controlSocket} list -n`,
        `  npx halb ctl --control-socket ${o.controlSocket} list --stats`,
        '  dashboard and API: http://127.0.0.1:9480/ (metrics at /metrics)',
        'Ctrl-C stops it.',
        '',
      ].join('\n'));
    });
}
