/**
 * Downloads a moderator's upload (`/corpus add`) from Discord's attachment host only, within a
 * size cap and a time limit, so a crafted URL or a huge file cannot make the bot fetch elsewhere
 * or fill its memory.
 */
import { formatBytes } from './messages.js';

/** A failed download, with a one-sentence message fit to show the moderator. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

interface DownloadOptions {
  /** Only URLs with this origin, under this path, are fetched (`DISCORD_CDN_URL`). */
  allowedBase: string;
  maxBytes: number;
  timeoutMs: number;
}

/** Same scheme, host and port as `allowedBase`, and a path below its path. */
function isAllowedUrl(url: string, allowedBase: string): boolean {
  try {
    const target = new URL(url);
    const base = new URL(allowedBase);
    const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return target.origin === base.origin && target.pathname.startsWith(basePath);
  } catch {
    return false;
  }
}

export async function downloadAttachment(url: string, { allowedBase, maxBytes, timeoutMs }: DownloadOptions): Promise<Uint8Array> {
  if (!isAllowedUrl(url, allowedBase)) throw new DownloadError('That file is not on Discord’s attachment server, so it was not downloaded.');
  const tooLarge = () => new DownloadError(`The file is larger than the upload limit of ${formatBytes(maxBytes)}.`);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // Redirects are not followed: they could lead away from the allowed host.
    const response = await fetch(url, { signal, redirect: 'manual' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new DownloadError(`Discord’s attachment server answered HTTP ${response.status}; try uploading the file again.`);
    }
    if (Number(response.headers.get('content-length')) > maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    // Counted as it arrives too: the length header may be missing, or wrong.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(); // leaving the loop cancels the stream
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    if (signal.aborted) throw new DownloadError(`Downloading the file took longer than ${Math.round(timeoutMs / 1000)} s; try again.`);
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    throw new DownloadError(`The file could not be downloaded${code ? ` (${code})` : ''}; try again.`);
  }
}
