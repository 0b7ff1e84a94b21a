/**
 * A `fetch` for ApiClient that reports upload progress. fetch() has no upload progress events, so a
 * request with a binary body (the sealed blob, PUT /v1/families/:id/blobs/:hash) goes through
 * XMLHttpRequest instead; everything else goes to the real fetch. ApiClient takes a fetch
 * implementation in its options, so the client package needs no browser-specific code.
 */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export type UploadListener = (progress: UploadProgress) => void;

export class UploadTracker {
  private readonly listeners = new Set<UploadListener>();

  /** Subscribes to the progress of binary uploads; returns the unsubscribe function. */
  listen(listener: UploadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(progress: UploadProgress): void {
    for (const listener of this.listeners) listener(progress);
  }

  readonly fetch: typeof fetch = (input, init) => {
    const body = init?.body;
    if (!(body instanceof Uint8Array) || typeof input !== 'string') return fetch(input, init);
    return this.upload(input, init ?? {}, body);
  };

  private upload(url: string, init: RequestInit, body: Uint8Array): Promise<Response> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(init.method ?? 'POST', url);
      xhr.responseType = 'arraybuffer';
      xhr.withCredentials = init.credentials === 'include';
      for (const [name, value] of new Headers(init.headers)) xhr.setRequestHeader(name, value);
      const total = body.byteLength;
      this.emit({ loaded: 0, total });
      xhr.upload.onprogress = (ev) =>
        this.emit({ loaded: ev.loaded, total: ev.lengthComputable ? ev.total : total });
      xhr.upload.onload = () => this.emit({ loaded: total, total });
      xhr.onerror = () => reject(new TypeError('Network error while uploading.'));
      xhr.onabort = () => reject(new DOMException('Upload aborted.', 'AbortError'));
      xhr.onload = () => {
        const headers = new Headers();
        for (const line of xhr
          .getAllResponseHeaders()
          .trim()
          .split(/[\r\n]+/)) {
          const at = line.indexOf(':');
          if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
        }
        const noBody = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
        resolve(
          new Response(noBody ? null : (xhr.response as ArrayBuffer), {
            status: xhr.status,
            statusText: xhr.statusText,
            headers,
          }),
        );
      };
      init.signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(body as Uint8Array<ArrayBuffer>);
    });
  }
}
