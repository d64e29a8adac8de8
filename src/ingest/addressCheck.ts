/**
 * Which IP addresses a fetch may connect to. A link pasted by anyone must not reach the bot's own
 * machine or network (its metrics, a database, a cloud's metadata service): only public unicast
 * addresses pass, whatever the spelling. ipaddr.js names each special range; IPv4 written inside
 * IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 address it is.
 */
import ipaddr from 'ipaddr.js';

/** Ranges an intranet deployment may allow (FETCH_ALLOW_PRIVATE): its own network, never link-local, which holds cloud metadata services. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

/** Why the bot will not connect to `address` (an IP address), or undefined when it may. */
export function refusedAddress(address: string, allowPrivate: boolean): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 into its IPv4 address, so its range is the IPv4 one.
    parsed = ipaddr.process(address);
  } catch {
    return `"${address}" is not an IP address`;
  }
  // ::/96 held IPv4 addresses in the deprecated "IPv4-compatible" form, which ipaddr.js calls unicast.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0))
    return `${address} is an IPv4 address written as IPv6, which the bot does not fetch from`;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (allowPrivate && PRIVATE_RANGES.has(range)) return undefined;
  const hint = PRIVATE_RANGES.has(range) ? ' (whoever runs the bot can allow its own network with FETCH_ALLOW_PRIVATE=true)' : '';
  return `${parsed.toString()} is a ${RANGE_NAMES[range] ?? `special (${range})`} address, which the bot does not fetch from${hint}`;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback (this machine)',
  private: 'private network',
  uniqueLocal: 'private network (unique-local)',
  carrierGradeNat: 'shared (carrier-grade NAT)',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};
