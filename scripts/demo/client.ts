import { Readable } from 'node:stream';

/** An error answer of the API (RFC 9457 problem+json). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; detail?: string; errors?: { field: string; message: string }[] },
    readonly route: string,
  ) {
    super(`${route} → ${status} ${body.code ?? ''}: ${body.detail ?? ''}${body.errors ? ' ' + JSON.stringify(body.errors) : ''}`);
  }
}

/** A small client of Cadre's public HTTP API, as an outside member would write one. */
export class CadreClient {
  constructor(
    readonly baseUrl: string,
    private token?: string,
  ) {}

  as(token: string): CadreClient {
    return new CadreClient(this.baseUrl, token);
  }

  async login(email: string, password: string): Promise<CadreClient> {
    const { accessToken } = await this.post<{ accessToken: string }>('/api/v1/auth/token', { email, password });
    return this.as(accessToken);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>('POST', path, body, headers);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  /** Streams a CSV body (a string or any iterable of chunks) to an upload route. */
  async upload<T>(path: string, csv: string | AsyncIterable<string | Buffer> | Iterable<string>): Promise<T> {
    const body = typeof csv === 'string' ? csv : (Readable.from(csv) as unknown as ReadableStream);
    return this.send<T>('POST', path, body, { 'content-type': 'text/csv' });
  }

  async text(path: string): Promise<string> {
    const res = await fetch(this.baseUrl + path, { headers: this.auth() });
    if (!res.ok) throw new ApiProblem(res.status, (await res.json().catch(() => ({}))) as ApiProblem['body'], `GET ${path}`);
    return res.text();
  }

  private request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  private async send<T>(method: string, path: string, body: string | ReadableStream | undefined, headers: Record<string, string>): Promise<T> {
    const init: RequestInit & { duplex?: 'half' } = { method, headers: { ...headers, ...this.auth() }, body };
    if (body && typeof body !== 'string') init.duplex = 'half';
    const res = await fetch(this.baseUrl + path, init);
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiProblem(res.status, parsed ?? {}, `${method} ${path}`);
    return parsed as T;
  }

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
}
