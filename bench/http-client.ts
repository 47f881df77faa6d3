import { createReadStream, statSync } from 'node:fs';
import { Agent, request } from 'node:http';

/**
 * The throughput scenario's load generator: JSON over node:http with keep-alive sockets.
 * It shares the two cores with the platform, so it is kept as light as the HTTP client of
 * a C load tool can be in Node (measured: a third of `fetch`'s CPU per request).
 */
export class LeanJsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, JSON.stringify(body));
  }

  /** Sends a file as the body (its length known, as `curl --data-binary @file` would), answered with JSON. */
  upload<T>(path: string, file: string, contentType = 'text/csv'): Promise<T> {
    return this.send<T>('POST', path, { file, contentType });
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, body?: string | { file: string; contentType: string }): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (typeof body === 'string') {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    } else if (body) {
      headers['content-type'] = body.contentType;
      headers['content-length'] = String(statSync(body.file).size);
    }
    return new Promise((resolve, reject) => {
      const req = request(this.baseUrl + path, { method, agent: this.agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new Error(`${method} ${path} → ${status}: ${text.slice(0, 200)}`));
          resolve((text ? JSON.parse(text) : undefined) as T);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (typeof body === 'object') createReadStream(body.file).on('error', reject).pipe(req);
      else req.end(body);
    });
  }
}
