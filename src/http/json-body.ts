import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BadRequestError } from '../errors/errors';
import { isWellFormedText } from '../platform/text';
import { getHeader } from './headers';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The request body as a JSON object: checks media type, decodes base64 bodies, enforces the size
 * limit, and rejects anything but an object, and any string or name in it that is not
 * well-formed text (`src/platform/text.ts`): the one gate every typed field of every route passes.
 * Error codes: ERR_UNSUPPORTED_MEDIA_TYPE, ERR_BODY_TOO_LARGE, ERR_BODY_INVALID.
 */
export function readJsonObject(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  maxBytes: number,
): Record<string, unknown> {
  const contentType = getHeader(event.headers, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
    throw new BadRequestError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  const raw = event.body ?? '';
  const tooLarge = () => new BadRequestError('ERR_BODY_TOO_LARGE', `Request body must be at most ${maxBytes} bytes`);
  // Measure before decoding, so an oversized body is refused without copying it.
  const encodedLimit = event.isBase64Encoded ? Math.ceil(maxBytes / 3) * 4 : maxBytes;
  if (raw.length > encodedLimit && (event.isBase64Encoded || Buffer.byteLength(raw, 'utf8') > maxBytes)) throw tooLarge();
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) throw tooLarge();
  if (bytes.byteLength === 0) {
    throw new BadRequestError('ERR_BODY_INVALID', 'Request body must be a JSON object');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new BadRequestError('ERR_BODY_INVALID', 'Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('ERR_BODY_INVALID', 'Request body must be a JSON object');
  }
  const illFormed = illFormedText(parsed, '');
  if (illFormed !== undefined) {
    const where = illFormed === '' ? 'Request body' : `"${illFormed}"`;
    throw new BadRequestError('ERR_BODY_INVALID', `${where} must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)`);
  }
  return parsed as Record<string, unknown>;
}

/** The path ("a.b.0") of the first string that is not well-formed text in `value`; '' for a name; undefined for none. */
function illFormedText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isWellFormedText(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormedText(key)) return '';
    const found = illFormedText(item, path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
