/**
 * The console's client of the Cadre API (same origin). The access token lives only in
 * this module's memory; the refresh token is an httpOnly cookie the page never sees
 * (`X-Cadre-Session: cookie`). Nothing is written to localStorage or sessionStorage.
 */
export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const SESSION = { 'X-Cadre-Session': 'cookie' };
let accessToken: string | null = null;

async function toError(res: Response): Promise<ApiError> {
  const body = await res.json().catch(() => ({}));
  return new ApiError({ status: res.status, ...body });
}

export async function login(email: string, password: string): Promise<void> {
  const res = await fetch('/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json', ...SESSION }, body: JSON.stringify({ email, password }), credentials: 'same-origin' });
  if (!res.ok) throw await toError(res);
  accessToken = (await res.json()).accessToken;
}

/** Spends the session cookie for a new access token; false when there is no session. */
export async function refresh(): Promise<boolean> {
  const res = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json', ...SESSION }, body: '{}', credentials: 'same-origin' });
  if (!res.ok) {
    accessToken = null;
    return false;
  }
  accessToken = (await res.json()).accessToken;
  return true;
}

export async function logout(): Promise<void> {
  if (accessToken) {
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, ...SESSION }, body: '{}', credentials: 'same-origin' }).catch(() => undefined);
  }
  accessToken = null;
}

let refreshing: Promise<boolean> | null = null;

async function send(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}, retried = false): Promise<Response> {
  const res = await fetch(path, { method, body, headers: { ...headers, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) } });
  if (res.status === 401 && !retried && !path.startsWith('/api/v1/register')) {
    refreshing ??= refresh().finally(() => (refreshing = null));
    if (await refreshing) return send(method, path, body, headers, true);
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);

export async function getText(path: string): Promise<string> {
  const res = await send('GET', path);
  if (!res.ok) throw await toError(res);
  return res.text();
}

/** Uploads a CSV with progress (XMLHttpRequest reports upload progress; fetch does not). */
export function uploadCsv(datasetId: string, file: Blob, onProgress: (fraction: number) => void): Promise<{ id: string; status: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/datasets/${datasetId}/uploads`);
    xhr.setRequestHeader('content-type', 'text/csv');
    if (accessToken) xhr.setRequestHeader('authorization', `Bearer ${accessToken}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText || '{}');
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else reject(new ApiError({ status: xhr.status, ...body }));
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, detail: 'network error' }));
    xhr.send(file);
  });
}

export interface Page<T> {
  items: T[];
  total: number;
}
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
