/**
 * Discord signs every request to an interactions endpoint with Ed25519: the signature
 * (`X-Signature-Ed25519`, hex) is over `X-Signature-Timestamp` followed by the raw body, with the
 * application's key pair; the endpoint checks it with the public key from the Developer Portal.
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * How far a request's timestamp may be from this machine's clock. Discord sends at once, so a
 * signed request seen again later is a replay: refusing old timestamps bounds how long a captured
 * request could be replayed. Five minutes leaves room for clock drift.
 */
export const SIGNATURE_MAX_SKEW_SECONDS = 5 * 60;

/** A public key object from the 32 raw bytes Discord shows as 64 hex digits. */
export function ed25519PublicKey(hex: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

/** Why a request's signature is refused, or undefined when it is valid and recent. */
export function signatureProblem(
  publicKey: KeyObject,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  nowSeconds = Date.now() / 1000,
): string | undefined {
  const { signature, timestamp } = headers;
  if (signature === undefined || timestamp === undefined) return 'missing signature headers';
  if (!/^[0-9a-f]{128}$/i.test(signature)) return 'malformed signature';
  if (!/^\d{1,12}$/.test(timestamp)) return 'malformed timestamp';
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_MAX_SKEW_SECONDS) return 'stale timestamp';
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  return verify(null, signed, publicKey, Buffer.from(signature, 'hex')) ? undefined : 'bad signature';
}
