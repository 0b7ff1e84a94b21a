/** A bare HTTP helper for server tests: real requests over loopback, nothing hidden. */

export interface Credentials {
  /** Session (`bs_`) or toy (`bt_`) token, sent as a Bearer header. */
  token?: string;
  /** X-Burrow-Device. */
  device?: string;
  /** Raw Cookie header. */
  cookie?: string;
}

export interface RequestOptions extends Credentials {
  body?: unknown;
  /** Raw bytes, sent as-is with `contentType` (default application/octet-stream). */
  raw?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
  bytes: Uint8Array;
}

export type Call = <T = any>(method: string, path: string, options?: RequestOptions) => Promise<Answer<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function httpClient(baseUrl: string): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.device) headers['x-burrow-device'] = options.device;
    if (options.cookie) headers.cookie = options.cookie;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: body as NonNullable<Parameters<typeof fetch>[1]>['body'],
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as never, bytes };
  };
}
