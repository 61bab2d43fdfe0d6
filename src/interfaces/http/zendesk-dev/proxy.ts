/** What the stand-in's proxy accepts (as Zendesk's `client.request` sends it) and how it signs the JWT. */
import { SignJWT } from 'jose';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** Headers the proxy does not pass on (the browser's own credentials never go through it). */
export const DROPPED_HEADERS = new Set([
  'cookie',
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'origin',
]);
/** `{{setting.NAME}}`, as Zendesk writes an app setting into a request. */
export const SETTING = /\{\{\s*setting\.([A-Za-z0-9_]+)\s*\}\}/g;
/** The secure setting that holds ZENDESK_APP_SECRET. */
export const SHARED_SECRET_SETTING = 'shared_secret';
export const RETURNED_HEADERS = [
  'content-type',
  'x-request-id',
  'retry-after',
  'content-disposition',
  'location',
];

export class ProxyRefusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface ProxyOptions {
  url: string;
  type: string;
  contentType?: string;
  data?: string;
  headers: Record<string, string>;
  secure: boolean;
  jwt?: { algorithm: string; secret_key: string; expiry: number; claims: Record<string, unknown> };
}

export function readProxyOptions(body: unknown): ProxyOptions {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ProxyRefusal('body', 'send a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b['url'] !== 'string' || b['url'] === '' || b['url'].length > 4096) {
    throw new ProxyRefusal('url', 'required');
  }
  const type = typeof b['type'] === 'string' ? b['type'].toUpperCase() : 'GET';
  if (!METHODS.has(type)) throw new ProxyRefusal('type', `must be one of ${[...METHODS].join(', ')}`);
  if (b['data'] !== undefined && b['data'] !== null && typeof b['data'] !== 'string') {
    throw new ProxyRefusal('data', 'must be a string (JSON.stringify it, as with Zendesk’s client.request)');
  }
  if (b['contentType'] !== undefined && typeof b['contentType'] !== 'string') {
    throw new ProxyRefusal('contentType', 'must be a string');
  }
  const headers: Record<string, string> = {};
  const rawHeaders = b['headers'] ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders)) {
    throw new ProxyRefusal('headers', 'must be an object of header names and values');
  }
  for (const [name, value] of Object.entries(rawHeaders)) {
    // Zendesk's proxy does not take underscores in header names either.
    if (!HEADER_NAME.test(name))
      throw new ProxyRefusal(`headers.${name.slice(0, 64)}`, 'is not a valid header name');
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      throw new ProxyRefusal(`headers.${name}`, 'must be a string');
    headers[name.toLowerCase()] = value;
  }
  const options: ProxyOptions = { url: b['url'], type, headers, secure: b['secure'] === true };
  if (typeof b['contentType'] === 'string') options.contentType = b['contentType'];
  if (typeof b['data'] === 'string') options.data = b['data'];
  const jwt = b['jwt'];
  if (jwt !== undefined && jwt !== null) {
    if (typeof jwt !== 'object' || Array.isArray(jwt)) throw new ProxyRefusal('jwt', 'must be an object');
    const j = jwt as Record<string, unknown>;
    if (j['algorithm'] !== 'HS256') throw new ProxyRefusal('jwt.algorithm', 'the stand-in signs HS256 only');
    if (typeof j['secret_key'] !== 'string' || j['secret_key'] === '') {
      throw new ProxyRefusal('jwt.secret_key', 'required, e.g. "{{setting.shared_secret}}"');
    }
    const expiry = j['expiry'] ?? 3600;
    if (typeof expiry !== 'number' || !Number.isInteger(expiry) || expiry < 1 || expiry > 86_400) {
      throw new ProxyRefusal('jwt.expiry', 'must be a whole number of seconds from 1 to 86400');
    }
    const claims = j['claims'] ?? {};
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      throw new ProxyRefusal('jwt.claims', 'must be an object');
    }
    options.jwt = {
      algorithm: 'HS256',
      secret_key: j['secret_key'],
      expiry,
      claims: claims as Record<string, unknown>,
    };
  }
  return options;
}

/** What Zendesk's proxy does with a `jwt` option: HS256 over the claims plus iat and exp = iat + expiry. */
export function signSidebarJwt(
  secret: string,
  claims: Record<string, unknown>,
  expirySeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + expirySeconds)
    .sign(new TextEncoder().encode(secret));
}
