/**
 * Validates request bodies the bot sends to Discord against Discord's own OpenAPI 3.1
 * description (v10), plus the rules that description cannot express (embed totals,
 * command-name pattern, autocomplete limits, allowed_mentions policy).
 *
 * The spec is vendored in tests/fixtures/discord-api-spec/openapi.json (source and licence in
 * its README and LICENSE); override it with the DISCORD_OPENAPI_SPEC environment variable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** Repository root (tests/support → ../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where Discord's OpenAPI description is expected. */
export const discordSpecPath = process.env['DISCORD_OPENAPI_SPEC'] ?? path.resolve(repoRoot, 'tests/fixtures/discord-api-spec/openapi.json');

export interface ValidateDiscordRequestOptions {
  /**
   * Report message-creating/editing bodies (webhook message POST/PATCH, channel message
   * POST/PATCH, interaction callback type 4 and 7) that do not set allowed_mentions.
   * Default: true.
   */
  requireAllowedMentions?: boolean;
}

export interface DiscordOperation {
  /** Upper-case HTTP method. */
  method: string;
  /** The spec's templated path, e.g. /webhooks/{webhook_id}/{webhook_token}/messages/@original. */
  template: string;
  operationId: string | undefined;
  /** Path parameters taken from the concrete path. */
  params: Record<string, string>;
}

// ---------------------------------------------------------------------------------------
// Loading and compiling (lazy, cached)
// ---------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

// ajv and ajv-formats are CommonJS; under NodeNext their default export is the module
// object, whose `default` property is the real export (at runtime both work).
const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module.default }).default;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;

const SPEC_ID = 'https://discord.com/api/v10/openapi.json';

interface Loaded {
  doc: Obj;
  ajv: InstanceType<typeof Ajv2020>;
  templates: { template: string; segments: string[] }[];
  validators: Map<string, ValidateFunction>;
  locals: Map<string, ValidateFunction | undefined>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const doc = JSON.parse(fs.readFileSync(discordSpecPath, 'utf8')) as Obj;
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true, validateSchema: false });
  addFormats(ajv);
  // Discord's own formats (int32/int64/double come from ajv-formats).
  ajv.addFormat('snowflake', /^(0|[1-9][0-9]*)$/);
  ajv.addFormat('nonce', true);
  // The whole document becomes one schema resource, so both "#/components/schemas/..." refs
  // inside it and pointers into "#/paths/..." resolve; ajv compiles only what is reached.
  ajv.addSchema({ ...doc, $id: SPEC_ID });
  const paths = (doc['paths'] ?? {}) as Obj;
  const templates = Object.keys(paths).map((template) => ({ template, segments: template.split('/') }));
  loaded = { doc, ajv, templates, validators: new Map(), locals: new Map() };
  return loaded;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escapePointer(seg: string): string {
  return seg.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointer(seg: string): string {
  return seg.replaceAll('~1', '/').replaceAll('~0', '~');
}

function child(ptr: string, ...segs: (string | number)[]): string {
  return ptr + segs.map((s) => '/' + escapePointer(String(s))).join('');
}

function nodeAt(ptr: string): unknown {
  let cur: unknown = load().doc;
  if (ptr === '') return cur;
  for (const raw of ptr.slice(1).split('/')) {
    const seg = unescapePointer(raw);
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function refToPointer(ref: string): string | undefined {
  if (!ref.startsWith('#')) return undefined;
  return decodeURIComponent(ref.slice(1));
}

/** Validator for the schema at a JSON pointer inside the spec document. */
function validatorAt(ptr: string): ValidateFunction {
  const l = load();
  let v = l.validators.get(ptr);
  if (!v) {
    const fragment = ptr
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
    v = l.ajv.compile({ $ref: `${SPEC_ID}#${fragment}` });
    l.validators.set(ptr, v);
  }
  return v;
}

/** Keywords the walker descends into itself; the rest are checked "locally". */
const APPLICATOR_KEYS = new Set(['$ref', 'allOf', 'anyOf', 'oneOf', 'properties', 'items', 'prefixItems']);
const VALIDATION_KEYS = new Set([
  'type',
  'enum',
  'const',
  'required',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'not',
  'if',
  'contains',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'unevaluatedItems',
]);

function absolutizeRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(absolutizeRefs);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    out[k] = k === '$ref' && typeof val === 'string' && val.startsWith('#') ? SPEC_ID + val : absolutizeRefs(val);
  }
  return out;
}

/** Validator for only the non-applicator keywords of the schema at ptr (undefined if none). */
function localValidatorAt(ptr: string): ValidateFunction | undefined {
  const l = load();
  const key = ptr;
  if (l.locals.has(key)) return l.locals.get(key);
  const node = nodeAt(ptr);
  let v: ValidateFunction | undefined;
  if (isObj(node)) {
    const local: Obj = {};
    for (const [k, val] of Object.entries(node)) {
      if (APPLICATOR_KEYS.has(k)) continue;
      if (k === 'additionalProperties' && isObj(val)) continue; // walked as children
      local[k] = val;
    }
    if (Object.keys(local).some((k) => VALIDATION_KEYS.has(k))) v = load().ajv.compile(absolutizeRefs(local) as Obj);
  }
  l.locals.set(key, v);
  return v;
}

function run(v: ValidateFunction, data: unknown): boolean {
  // Coercion mutates the data: always validate a copy.
  return v(data === undefined ? undefined : structuredClone(data)) as boolean;
}

// ---------------------------------------------------------------------------------------
// Error explanation: walk schema and data together, report only the closest alternative
// ---------------------------------------------------------------------------------------

function preview(v: unknown): string {
  if (typeof v === 'string') {
    const n = codePoints(v);
    return n > 40 ? `a ${n}-character string` : JSON.stringify(v);
  }
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let cur = data;
  if (!instancePath) return cur;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = unescapePointer(raw);
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function formatAjvError(at: string, e: ErrorObject, data: unknown): string {
  const value = valueAt(data, e.instancePath);
  const p = e.params as Obj;
  let msg = e.message ?? e.keyword;
  switch (e.keyword) {
    case 'enum':
      msg = `must be one of ${(p['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, got ${preview(value)}`;
      break;
    case 'const':
      msg = `must be ${JSON.stringify(p['allowedValue'])}, got ${preview(value)}`;
      break;
    case 'additionalProperties':
      msg = `has unknown property "${String(p['additionalProperty'])}"`;
      break;
    case 'maxLength':
    case 'minLength':
      msg += ` (has ${typeof value === 'string' ? codePoints(value) : preview(value)})`;
      break;
    case 'maxItems':
    case 'minItems':
      msg += Array.isArray(value) ? ` (has ${value.length})` : '';
      break;
    case 'type':
    case 'format':
    case 'pattern':
    case 'minimum':
    case 'maximum':
      msg += `, got ${preview(value)}`;
      break;
  }
  return `${at}${e.instancePath}: ${msg}`;
}

function resolveNode(ptr: string): { ptr: string; node: Obj } {
  let cur = ptr;
  for (let i = 0; i < 20; i++) {
    const node = nodeAt(cur);
    if (!isObj(node)) return { ptr: cur, node: {} };
    const target = typeof node['$ref'] === 'string' ? refToPointer(node['$ref']) : undefined;
    const hasOwnChecks = Object.keys(node).some((k) => k !== '$ref' && (VALIDATION_KEYS.has(k) || APPLICATOR_KEYS.has(k)));
    if (target === undefined || hasOwnChecks) return { ptr: cur, node };
    cur = target;
  }
  return { ptr: cur, node: {} };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeCompatible(node: Obj, data: unknown): boolean {
  const t = node['type'];
  if (t === undefined) return true;
  const types = Array.isArray(t) ? (t as string[]) : [t as string];
  const dt = jsonType(data);
  return types.includes(dt) || (dt === 'integer' && types.includes('number'));
}

/** The values a branch accepts for the discriminator property "type", if it declares any. */
function discriminatorValues(node: Obj): unknown[] | undefined {
  const props = node['properties'];
  if (!isObj(props) || !isObj(props['type'])) return undefined;
  const t = props['type'];
  if (Array.isArray(t['enum'])) return t['enum'] as unknown[];
  if ('const' in t) return [t['const']];
  return undefined;
}

function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof b === 'number' && typeof a === 'string') return a.trim() !== '' && Number(a) === b;
  return false;
}

function branchLabel(ptr: string): string {
  const raw = nodeAt(ptr);
  const { ptr: rptr, node } = resolveNode(ptr);
  let name: string;
  if (isObj(raw) && typeof raw['$ref'] === 'string') name = raw['$ref'].split('/').pop() ?? raw['$ref'];
  else if (typeof node['title'] === 'string') name = node['title'];
  else if (node['type'] === 'null') name = 'null';
  else name = rptr.split('/').pop() ?? rptr;
  const disc = discriminatorValues(node);
  return disc ? `${name} (type ${disc.map((d) => JSON.stringify(d)).join('|')})` : name;
}

function explain(ptr: string, data: unknown, at: string, out: string[]): void {
  if (run(validatorAt(ptr), data)) return;
  const node = nodeAt(ptr);
  if (!isObj(node)) return;

  const local = localValidatorAt(ptr);
  if (local && !run(local, data)) {
    for (const e of local.errors ?? []) out.push(formatAjvError(at, e, data));
  }

  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const target = refToPointer(ref);
    if (target !== undefined) explain(target, data, at, out);
  }
  if (Array.isArray(node['allOf'])) {
    node['allOf'].forEach((_, i) => explain(child(ptr, 'allOf', i), data, at, out));
  }
  for (const kind of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[kind])) explainUnion(ptr, kind, data, at, out);
  }

  if (isObj(data)) {
    const props = isObj(node['properties']) ? node['properties'] : {};
    const additional = node['additionalProperties'];
    for (const [key, value] of Object.entries(data)) {
      if (key in props) explain(child(ptr, 'properties', key), value, `${at}/${escapePointer(key)}`, out);
      else if (isObj(additional)) explain(child(ptr, 'additionalProperties'), value, `${at}/${escapePointer(key)}`, out);
    }
  }
  if (Array.isArray(data) && isObj(node['items'])) {
    data.forEach((item, i) => explain(child(ptr, 'items'), item, `${at}/${i}`, out));
  }
}

function explainUnion(ptr: string, kind: 'anyOf' | 'oneOf', data: unknown, at: string, out: string[]): void {
  const node = nodeAt(ptr) as Obj;
  const branches = (node[kind] as unknown[]).map((_, i) => {
    const bptr = child(ptr, kind, i);
    const v = validatorAt(bptr);
    const valid = run(v, data);
    return { ptr: bptr, valid, errorCount: valid ? 0 : (v.errors?.length ?? 1), resolved: resolveNode(bptr).node };
  });
  const valid = branches.filter((b) => b.valid);
  if (kind === 'oneOf' && valid.length > 1) {
    out.push(`${at}: must match exactly one alternative but matches ${valid.length}: ${valid.map((b) => branchLabel(b.ptr)).join(', ')}`);
    return;
  }
  if (valid.length > 0) return;

  // An enumeration written as a union of consts (e.g. InteractionCallbackTypes).
  if (branches.every((b) => 'const' in b.resolved)) {
    const options = branches.map((b) => {
      const title = typeof b.resolved['title'] === 'string' ? ` (${b.resolved['title']})` : '';
      return `${JSON.stringify(b.resolved['const'])}${title}`;
    });
    out.push(`${at}: must be one of ${options.join(', ')}, got ${preview(data)}`);
    return;
  }

  let candidates = branches.filter((b) => typeCompatible(b.resolved, data));
  if (candidates.length === 0) candidates = branches;
  let transparent = candidates.length === 1;
  const discriminated = candidates.every((b) => discriminatorValues(b.resolved) !== undefined);
  if (isObj(data) && discriminated && !candidates.some((b) => discriminatorValues(b.resolved)?.some((d) => looselyEqual(d, data['type'])))) {
    // The discriminator itself is wrong: say which values exist rather than guessing a branch.
    const allowed = candidates.map((b) => branchLabel(b.ptr)).join('; ');
    const got = 'type' in data ? `got ${preview(data['type'])}` : 'it is missing';
    out.push(`${at}/type: must select one of the alternatives: ${allowed}; ${got}`);
    return;
  }
  if (isObj(data) && 'type' in data) {
    const matching = candidates.filter((b) => discriminatorValues(b.resolved)?.some((d) => looselyEqual(d, data['type'])));
    if (matching.length > 0) {
      candidates = matching;
      transparent = matching.length === 1;
    }
  }
  const closest = candidates.reduce((best, b) => (b.errorCount < best.errorCount ? b : best));
  if (!transparent) {
    out.push(
      `${at}: matches none of the ${branches.length} alternatives (${branches.map((b) => branchLabel(b.ptr)).join('; ')}); ` +
        `closest is ${branchLabel(closest.ptr)}:`,
    );
  }
  explain(closest.ptr, data, at, out);
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

/** Finds the spec operation for a method and a path after /api/v10 (the most literal template wins). */
export function findDiscordOperation(method: string, requestPath: string): DiscordOperation | undefined {
  const l = load();
  let p = requestPath.split('?')[0] ?? '';
  if (p.startsWith('/api/v10/')) p = p.slice('/api/v10'.length);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const segments = p.split('/');
  const m = method.toLowerCase();
  let best: { template: string; score: number; params: Record<string, string> } | undefined;
  for (const t of l.templates) {
    if (t.segments.length !== segments.length) continue;
    const item = (l.doc['paths'] as Obj)[t.template];
    if (!isObj(item) || !isObj(item[m])) continue;
    let score = 0;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const ts = t.segments[i] as string;
      const s = segments[i] as string;
      const param = /^\{(.+)\}$/.exec(ts);
      if (param) {
        if (s === '') ok = false;
        else params[param[1] as string] = s;
      } else if (ts === s) {
        // Literal segments weigh more the earlier they occur, so ties break left to right.
        score += 1 + (segments.length - i) / 1000;
      } else ok = false;
    }
    if (ok && (!best || score > best.score)) best = { template: t.template, score, params };
  }
  if (!best) return undefined;
  const op = ((l.doc['paths'] as Obj)[best.template] as Obj)[m] as Obj;
  return {
    method: method.toUpperCase(),
    template: best.template,
    operationId: typeof op['operationId'] === 'string' ? op['operationId'] : undefined,
    params: best.params,
  };
}

const WEBHOOK_EXECUTE = '/webhooks/{webhook_id}/{webhook_token}';
const MESSAGE_CREATE = new Set([`POST ${WEBHOOK_EXECUTE}`, 'POST /channels/{channel_id}/messages']);
const MESSAGE_EDIT = new Set([
  'PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original',
  'PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
  'PATCH /channels/{channel_id}/messages/{message_id}',
]);
const INTERACTION_CALLBACK = 'POST /interactions/{interaction_id}/{interaction_token}/callback';
const COMMAND_LIST = new Set(['PUT /applications/{application_id}/commands', 'PUT /applications/{application_id}/guilds/{guild_id}/commands']);
const COMMAND_SINGLE = new Set([
  'POST /applications/{application_id}/commands',
  'POST /applications/{application_id}/guilds/{guild_id}/commands',
  'PATCH /applications/{application_id}/commands/{command_id}',
  'PATCH /applications/{application_id}/guilds/{guild_id}/commands/{command_id}',
]);

/**
 * Validates a request body the bot sent against the operation's requestBody schema
 * (application/json) in Discord's OpenAPI description, plus rules the description cannot
 * express. Returns a list of readable problems; [] means valid.
 */
export function validateDiscordRequest(method: string, path: string, body: unknown, options: ValidateDiscordRequestOptions = {}): string[] {
  const requireAllowedMentions = options.requireAllowedMentions ?? true;
  const op = findDiscordOperation(method, path);
  if (!op) return [`no operation for ${method.toUpperCase()} ${path}`];
  const where = `${op.method} ${op.template}`;

  // What goes over the wire: JSON (drops undefined, applies toJSON()).
  let wire: unknown;
  try {
    wire = body === undefined ? undefined : (JSON.parse(JSON.stringify(body)) as unknown);
  } catch (err) {
    return [`${where}: body is not JSON-serialisable (${(err as Error).message})`];
  }

  const opNode = nodeAt(child('', 'paths', op.template, op.method.toLowerCase())) as Obj;
  const requestBody = opNode['requestBody'];
  if (!isObj(requestBody)) {
    return wire === undefined || wire === null ? [] : [`${where} takes no request body, got ${preview(wire)}`];
  }
  const content = requestBody['content'];
  if (!isObj(content) || !isObj(content['application/json'])) {
    return [`${where} has no application/json request body in the spec`];
  }
  if (wire === undefined) {
    return requestBody['required'] === true ? [`${where} requires a JSON body, got none`] : [];
  }

  const problems: string[] = [];
  const schemaPtr = child('', 'paths', op.template, op.method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema');
  explain(schemaPtr, wire, 'body', problems);

  const key = `${op.method} ${op.template}`;
  if (MESSAGE_CREATE.has(key) || MESSAGE_EDIT.has(key)) {
    checkMessage(wire, 'body', MESSAGE_CREATE.has(key), requireAllowedMentions, problems);
  } else if (key === INTERACTION_CALLBACK && isObj(wire)) {
    const type = Number(wire['type']);
    if (type === 4 || type === 7) {
      if (wire['data'] === undefined || wire['data'] === null) {
        if (type === 4) problems.push('body/data: a CHANNEL_MESSAGE_WITH_SOURCE (4) response needs data');
      } else checkMessage(wire['data'], 'body/data', type === 4, requireAllowedMentions, problems);
    } else if (type === 8) {
      checkAutocomplete(wire['data'], 'body/data', problems);
    } else if (type === 9) {
      checkModal(wire['data'], 'body/data', problems);
    }
  } else if (COMMAND_LIST.has(key)) {
    if (Array.isArray(wire)) checkCommandList(wire, problems);
  } else if (COMMAND_SINGLE.has(key)) {
    checkCommand(wire, 'body', op.method === 'PATCH', problems);
  }
  return [...new Set(problems)];
}

/** Like validateDiscordRequest but throws an Error listing the problems. */
export function assertValidDiscordRequest(method: string, path: string, body: unknown, options?: ValidateDiscordRequestOptions): void {
  const problems = validateDiscordRequest(method, path, body, options);
  if (problems.length > 0) {
    throw new Error(`Discord would reject ${method.toUpperCase()} ${path}:\n  - ${problems.join('\n  - ')}`);
  }
}

// ---------------------------------------------------------------------------------------
// Rules the spec cannot express
// ---------------------------------------------------------------------------------------

/** Length in Unicode code points (what JSON Schema maxLength and Discord count). */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function textLength(v: unknown): number {
  if (typeof v === 'string') return codePoints(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v).length;
  return 0;
}

/** Characters an embed counts towards Discord's 6000-character total across a message's embeds. */
export function embedTotalLength(embed: unknown): number {
  if (!isObj(embed)) return 0;
  let n = textLength(embed['title']) + textLength(embed['description']);
  const fields = embed['fields'];
  if (Array.isArray(fields)) {
    for (const f of fields) if (isObj(f)) n += textLength(f['name']) + textLength(f['value']);
  }
  const footer = embed['footer'];
  if (isObj(footer)) n += textLength(footer['text']);
  const author = embed['author'];
  if (isObj(author)) n += textLength(author['name']);
  return n;
}

export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceStringValue: 100,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  optionChoices: 25,
} as const;

function limit(out: string[], at: string, value: unknown, max: number, what = 'characters'): void {
  const n = textLength(value);
  if (n > max) out.push(`${at}: must be at most ${max} ${what} (has ${n})`);
}

function checkMessage(msg: unknown, at: string, creating: boolean, requireAllowedMentions: boolean, out: string[]): void {
  if (!isObj(msg)) return;
  limit(out, `${at}/content`, msg['content'], DISCORD_LIMITS.content);
  const embeds = msg['embeds'];
  if (Array.isArray(embeds)) {
    if (embeds.length > DISCORD_LIMITS.embeds) {
      out.push(`${at}/embeds: must have at most ${DISCORD_LIMITS.embeds} embeds (has ${embeds.length})`);
    }
    let total = 0;
    embeds.forEach((embed, i) => {
      if (!isObj(embed)) return;
      const e = `${at}/embeds/${i}`;
      total += embedTotalLength(embed);
      limit(out, `${e}/title`, embed['title'], DISCORD_LIMITS.embedTitle);
      limit(out, `${e}/description`, embed['description'], DISCORD_LIMITS.embedDescription);
      const fields = embed['fields'];
      if (Array.isArray(fields)) {
        if (fields.length > DISCORD_LIMITS.embedFields) {
          out.push(`${e}/fields: must have at most ${DISCORD_LIMITS.embedFields} fields (has ${fields.length})`);
        }
        fields.forEach((f, j) => {
          if (!isObj(f)) return;
          for (const [k, max] of [
            ['name', DISCORD_LIMITS.embedFieldName],
            ['value', DISCORD_LIMITS.embedFieldValue],
          ] as const) {
            const v = f[k];
            if (typeof v === 'string' && v.trim() === '') out.push(`${e}/fields/${j}/${k}: must not be empty`);
            limit(out, `${e}/fields/${j}/${k}`, v, max);
          }
        });
      }
      // The spec makes footer.text and author.name optional; Discord requires them.
      const footer = embed['footer'];
      if (isObj(footer)) {
        if (textLength(footer['text']) === 0) out.push(`${e}/footer/text: required when footer is set`);
        limit(out, `${e}/footer/text`, footer['text'], DISCORD_LIMITS.embedFooterText);
      }
      const author = embed['author'];
      if (isObj(author)) {
        if (textLength(author['name']) === 0) out.push(`${e}/author/name: required when author is set`);
        limit(out, `${e}/author/name`, author['name'], DISCORD_LIMITS.embedAuthorName);
      }
    });
    if (total > DISCORD_LIMITS.embedTotal) {
      out.push(
        `${at}/embeds: embeds total ${total} characters, limit is ${DISCORD_LIMITS.embedTotal} ` +
          '(title + description + field names + field values + footer text + author name, over all embeds)',
      );
    }
  }
  if (creating) {
    const nonEmpty = (v: unknown) => (typeof v === 'string' ? v.length > 0 : Array.isArray(v) ? v.length > 0 : isObj(v));
    if (!['content', 'embeds', 'components', 'attachments', 'sticker_ids', 'poll'].some((k) => nonEmpty(msg[k]))) {
      out.push(`${at}: a new message needs content, embeds, components, attachments, sticker_ids or a poll (Discord: "Cannot send an empty message")`);
    }
  }
  if (requireAllowedMentions && !isObj(msg['allowed_mentions'])) {
    out.push(`${at}/allowed_mentions: missing; every message the bot sends must set allowed_mentions (e.g. { "parse": [] })`);
  }
}

function checkChoices(choices: unknown, at: string, max: number, out: string[]): void {
  if (!Array.isArray(choices)) return;
  if (choices.length > max) out.push(`${at}: must have at most ${max} choices (has ${choices.length})`);
  choices.forEach((c, i) => {
    if (!isObj(c)) return;
    const n = textLength(c['name']);
    if (n < 1 || n > DISCORD_LIMITS.choiceName) {
      out.push(`${at}/${i}/name: must be 1-${DISCORD_LIMITS.choiceName} characters (has ${n})`);
    }
    if (typeof c['value'] === 'string') limit(out, `${at}/${i}/value`, c['value'], DISCORD_LIMITS.choiceStringValue);
  });
}

function checkAutocomplete(data: unknown, at: string, out: string[]): void {
  if (!isObj(data)) {
    out.push(`${at}: an autocomplete result (8) needs data with choices`);
    return;
  }
  checkChoices(data['choices'], `${at}/choices`, DISCORD_LIMITS.autocompleteChoices, out);
}

/** A form's text fields: custom_ids unique within it, and a min_length no greater than the max_length. */
function checkModal(data: unknown, at: string, out: string[]): void {
  if (!isObj(data) || !Array.isArray(data['components'])) return;
  const seen = new Set<unknown>();
  data['components'].forEach((component, i) => {
    if (!isObj(component)) return;
    const fields = isObj(component['component']) ? [component['component']] : Array.isArray(component['components']) ? component['components'] : [];
    for (const field of fields) {
      if (!isObj(field) || field['type'] !== 4) continue;
      if (seen.has(field['custom_id'])) out.push(`${at}/components/${i}: custom_id ${JSON.stringify(field['custom_id'])} is used twice in the form`);
      seen.add(field['custom_id']);
      const [min, max] = [field['min_length'], field['max_length']];
      if (typeof min === 'number' && typeof max === 'number' && min > max) out.push(`${at}/components/${i}: min_length ${min} is above max_length ${max}`);
    }
  });
}

/** CHAT_INPUT command and option names (https://discord.com/developers/docs/interactions/application-commands). */
export const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkChatInputName(name: unknown, at: string, out: string[]): void {
  if (typeof name !== 'string') {
    out.push(`${at}: must be a string`);
    return;
  }
  if (!CHAT_INPUT_NAME.test(name)) {
    out.push(`${at}: ${JSON.stringify(name)} must be 1-32 letters, digits, "-", "_" or "'" (no spaces)`);
  }
  if (name !== name.toLowerCase()) out.push(`${at}: ${JSON.stringify(name)} must be lowercase`);
}

function checkDescription(desc: unknown, at: string, out: string[]): void {
  const n = typeof desc === 'string' ? codePoints(desc) : 0;
  if (n < 1 || n > DISCORD_LIMITS.commandDescription) {
    out.push(`${at}: must be 1-${DISCORD_LIMITS.commandDescription} characters (has ${typeof desc === 'string' ? n : preview(desc)})`);
  }
}

function checkLocalizations(value: unknown, at: string, check: (v: unknown, at: string, out: string[]) => void, out: string[]): void {
  if (!isObj(value)) return;
  for (const [locale, v] of Object.entries(value)) check(v, `${at}/${locale}`, out);
}

function checkOptions(options: unknown, at: string, out: string[]): void {
  if (!Array.isArray(options)) return;
  if (options.length > DISCORD_LIMITS.commandOptions) {
    out.push(`${at}: must have at most ${DISCORD_LIMITS.commandOptions} options (has ${options.length})`);
  }
  let sawOptional = false;
  const names = new Set<string>();
  options.forEach((o, i) => {
    if (!isObj(o)) return;
    const oat = `${at}/${i}`;
    checkChatInputName(o['name'], `${oat}/name`, out);
    if (typeof o['name'] === 'string') {
      if (names.has(o['name'])) out.push(`${oat}/name: duplicate option name ${JSON.stringify(o['name'])}`);
      names.add(o['name']);
    }
    checkLocalizations(o['name_localizations'], `${oat}/name_localizations`, checkChatInputName, out);
    checkDescription(o['description'], `${oat}/description`, out);
    checkLocalizations(o['description_localizations'], `${oat}/description_localizations`, checkDescription, out);
    checkChoices(o['choices'], `${oat}/choices`, DISCORD_LIMITS.optionChoices, out);
    const type = Number(o['type']);
    if (type === 1 || type === 2) {
      checkOptions(o['options'], `${oat}/options`, out);
    } else if (o['required'] === true) {
      if (sawOptional) out.push(`${oat}: required options must come before optional ones`);
    } else sawOptional = true;
  });
}

function checkCommand(cmd: unknown, at: string, partial: boolean, out: string[]): void {
  if (!isObj(cmd)) return;
  const type = cmd['type'] === undefined || cmd['type'] === null ? 1 : Number(cmd['type']);
  if (type === 1) {
    if (!partial || cmd['name'] !== undefined) checkChatInputName(cmd['name'], `${at}/name`, out);
    checkLocalizations(cmd['name_localizations'], `${at}/name_localizations`, checkChatInputName, out);
    if (!partial || cmd['description'] !== undefined) checkDescription(cmd['description'], `${at}/description`, out);
    checkLocalizations(cmd['description_localizations'], `${at}/description_localizations`, checkDescription, out);
    checkOptions(cmd['options'], `${at}/options`, out);
  } else if (type === 2 || type === 3) {
    const name = cmd['name'];
    const n = typeof name === 'string' ? codePoints(name) : 0;
    if ((!partial || name !== undefined) && (n < 1 || n > DISCORD_LIMITS.commandName)) {
      out.push(
        `${at}/name: a context-menu command name must be 1-${DISCORD_LIMITS.commandName} characters (has ${typeof name === 'string' ? n : preview(name)})`,
      );
    }
    const desc = cmd['description'];
    if (desc !== undefined && desc !== null && desc !== '') {
      out.push(`${at}/description: a context-menu command (type ${type}) must have an empty description, got ${preview(desc)}`);
    }
    if (Array.isArray(cmd['options']) && cmd['options'].length > 0) {
      out.push(`${at}/options: a context-menu command (type ${type}) cannot have options`);
    }
  }
}

function checkCommandList(cmds: unknown[], out: string[]): void {
  const seen = new Set<string>();
  cmds.forEach((cmd, i) => {
    checkCommand(cmd, `body/${i}`, false, out);
    if (isObj(cmd) && typeof cmd['name'] === 'string') {
      const key = `${cmd['type'] ?? 1}:${cmd['name']}`;
      if (seen.has(key)) out.push(`body/${i}/name: duplicate command name ${JSON.stringify(cmd['name'])} for type ${cmd['type'] ?? 1}`);
      seen.add(key);
    }
  });
}
