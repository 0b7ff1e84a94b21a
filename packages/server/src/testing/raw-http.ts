/**
 * HTTP on a raw socket, for tests of what a well-behaved client never sends: a body cut half-way,
 * bytes that are not HTTP. Writes the bytes, then nothing more, and resolves with the server's answer
 * once the server has closed the connection.
 */
import { createHash } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  json: { error: { code: string; reason?: string; message: string } };
}

/**
 * The request's head as lines (the request line first; no blank line), to go before a body.
 * `headers` are written as given, after Host.
 */
export function rawHead(baseUrl: string, method: string, path: string, headers: Record<string, string>): string {
  const { host } = new URL(baseUrl);
  return [`${method} ${path} HTTP/1.1`, `host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n';
}

/**
 * Sends `bytes` and waits for the server to answer and close. The wait is bounded (`boundMs`) only
 * so that a server that never answers fails the test instead of hanging it.
 */
export function rawExchange(baseUrl: string, bytes: (string | Buffer)[], boundMs = 60_000): Promise<RawAnswer> {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither answered nor closed the connection within ${String(boundMs / 1000)} s`));
    }, boundMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(bound);
      const text = Buffer.concat(chunks).toString('utf8');
      const [top = '', payload = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      try {
        resolve({ status: Number(statusLine.split(' ')[1]), headers, json: JSON.parse(payload) as RawAnswer['json'] });
      } catch (err) {
        reject(new Error(`not an HTTP answer with a JSON body: ${JSON.stringify(text.slice(0, 300))}`, { cause: err }));
      }
    });
    for (const b of bytes) socket.write(b);
  });
}

/** An upload with only the first half of its body sent: it holds a write slot until `finish` or `abort`. */
export interface HalfUpload {
  /** True once the server answered (it was refused, or cut at its deadline). */
  answered(): boolean;
  /** Sends the rest; resolves with the answer's status. */
  finish(): Promise<number>;
  abort(): void;
}

/** Starts the upload of `blob` to `familyId` as `as` and sends half its body (node:http, so `finish` can send the rest). */
export function halfUpload(baseUrl: string, as: { token: string; device: string }, familyId: string, blob: Uint8Array): HalfUpload {
  let req: ClientRequest;
  let answered = false;
  const status = new Promise<number>((resolve, reject) => {
    req = request(`${baseUrl}/v1/families/${familyId}/blobs/${createHash('sha256').update(blob).digest('base64url')}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${as.token}`,
        'x-burrow-device': as.device,
        'content-type': 'application/octet-stream',
        'content-length': String(blob.length),
      },
    });
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write(blob.subarray(0, blob.length / 2));
  });
  // A test that aborts the upload never awaits its status.
  status.catch(() => undefined);
  return {
    answered: () => answered,
    finish: () => (req.end(blob.subarray(blob.length / 2)), status),
    abort: () => req.destroy(),
  };
}
