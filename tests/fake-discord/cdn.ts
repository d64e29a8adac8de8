// Serves attachment bytes under /cdn, optionally slowly, so tests can exercise download limits
// and timeouts without touching the network.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { snowflake } from './payloads.js';

export interface AttachmentServeOptions {
  contentType?: string;
  /** Wait this long before sending the status line. */
  delayMs?: number;
  /** Send the body in `chunkSize` pieces (default 16 KiB) with this pause between them. */
  chunkDelayMs?: number;
  chunkSize?: number;
  /** Send no Content-Length (chunked encoding), so a client cannot learn the size up front. */
  omitContentLength?: boolean;
}

interface Served extends AttachmentServeOptions {
  content: Buffer;
}

export class FakeCdn {
  private readonly files = new Map<string, Served>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly baseUrl: string) {}

  serve(name: string, content: Buffer | string, options: AttachmentServeOptions = {}): string {
    const path = `/attachments/${snowflake()}/${encodeURIComponent(name)}`;
    this.files.set(path, { ...options, content: Buffer.from(content) });
    return `${this.baseUrl}${path}`;
  }

  /** `path` is the request path after '/cdn'. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    const file = this.files.get(path);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    this.later(file.delayMs ?? 0, () => {
      res.writeHead(200, {
        'Content-Type': file.contentType ?? 'application/octet-stream',
        ...(file.omitContentLength ? {} : { 'Content-Length': String(file.content.length) }),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const chunkSize = file.chunkSize ?? 16 * 1024;
      const writeFrom = (offset: number): void => {
        if (res.destroyed) return;
        const end = Math.min(offset + chunkSize, file.content.length);
        if (end >= file.content.length) {
          res.end(file.content.subarray(offset));
          return;
        }
        res.write(file.content.subarray(offset, end));
        this.later(file.chunkDelayMs ?? 0, () => writeFrom(end));
      };
      writeFrom(0);
    });
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
