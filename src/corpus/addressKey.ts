/**
 * An article's address as duplicates are told apart: the same page linked with or without
 * `www.`, a trailing slash, a `#fragment` or tracking parameters (`utm_*`) is one article.
 */
export function addressKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.trim();
  }
  for (const name of [...parsed.searchParams.keys()]) if (name.toLowerCase().startsWith('utm_')) parsed.searchParams.delete(name);
  parsed.searchParams.sort();
  const query = parsed.searchParams.toString();
  return `${parsed.hostname.replace(/^www\./, '')}${parsed.pathname.replace(/\/+$/, '')}${query ? `?${query}` : ''}`;
}
