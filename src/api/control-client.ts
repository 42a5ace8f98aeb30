// `halb ctl` side of the control socket.
import { createConnection } from 'node:net';
import { SysError } from '../core/errors.js';
import { encodeMessage, type ControlRequest, type ControlResponse } from './control-protocol.js';

type Req = ControlRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export function controlRequest(path: string, req: Req, timeoutMs = 10_000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SysError('read', `no answer from the daemon on ${path} within ${timeoutMs} ms`, 'ETIMEDOUT'));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(encodeMessage({ ...req, id: 1 } as ControlRequest)));
    sock.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ControlResponse);
      } catch (e) {
        reject(new SysError('read', `bad answer from the daemon on ${path}`, undefined, { cause: e }));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is `halb -n -f FILE` running? --control-socket must match)' : '';
      reject(new SysError('connect', `cannot reach the daemon on ${path}: ${e.message}${hint}`, e.code, { cause: e }));
    });
  });
}
