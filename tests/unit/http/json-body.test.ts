import { readCredentials } from '../../../src/http/credentials';
import { readJsonObject } from '../../../src/http/json-body';
import { httpEvent } from '../../helpers/events';
import { thrownCode as codeOf } from '../../helpers/error-code';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('readJsonObject', () => {
  it('parses a JSON object body', () => {
    expect(readJsonObject(httpEvent({ headers: JSON_HEADERS, body: '{"a":1}' }), 100)).toEqual({ a: 1 });
  });

  it('accepts a charset parameter and any header-name case', () => {
    const event = httpEvent({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' });
    expect(readJsonObject(event, 100)).toEqual({});
  });

  it('decodes a base64-encoded body', () => {
    const body = Buffer.from('{"username":"test"}').toString('base64');
    expect(readJsonObject(httpEvent({ headers: JSON_HEADERS, body, isBase64Encoded: true }), 100)).toEqual({ username: 'test' });
  });

  it.each([
    ['a field', String.raw`{"email":"a\ud800@example.com"}`, '"email"'],
    ['a low surrogate alone', String.raw`{"new_password":"\udc00\udc01\udc02\udc03\udc04\udc05\udc06\udc07"}`, '"new_password"'],
    ['a nested field', String.raw`{"credential":{"response":{"clientDataJSON":"x\ud83d"}}}`, '"credential.response.clientDataJSON"'],
    ['an array item', String.raw`{"names":["ok","\ud800"]}`, '"names.1"'],
    ['a name', String.raw`{"\ud800":"x"}`, 'Request body'],
  ])('refuses a lone surrogate in %s with 400, before any library sees it', (_label, body, where) => {
    expect(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body }), 1000)).toThrow(
      expect.objectContaining({
        code: 'ERR_BODY_INVALID',
        message: `${where} must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)`,
      }),
    );
  });

  it('refuses U+FFFD, what a decoder made of bytes that were not UTF-8, as a raw character and as an escape', () => {
    // A body of invalid UTF-8 reaches the function already decoded, each bad byte as U+FFFD.
    const decoded = Buffer.from([...Buffer.from('{"new_password":"Zq9-longpass'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]).toString('utf8');
    expect(decoded).toContain('\ufffd');
    for (const body of [decoded, String.raw`{"new_password":"Zq9-longpass\ufffd"}`]) {
      expect(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body }), 1000)).toThrow(
        expect.objectContaining({
          code: 'ERR_BODY_INVALID',
          message: '"new_password" must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)',
        }),
      );
    }
  });

  it('takes a surrogate pair (an emoji written as escapes)', () => {
    expect(readJsonObject(httpEvent({ headers: JSON_HEADERS, body: String.raw`{"name":"\ud83d\ude00"}` }), 100)).toEqual({
      name: '\u{1f600}',
    });
  });

  it.each([
    ['no content type', {}],
    ['a form content type', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['a text content type', { 'Content-Type': 'text/plain' }],
  ])('refuses %s with 415', (_label, headers) => {
    expect(codeOf(() => readJsonObject(httpEvent({ headers, body: '{}' }), 100))).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['no body', null],
    ['an empty body', ''],
    ['invalid JSON', '{"a":'],
    ['null', 'null'],
    ['an array', '[1,2]'],
    ['a string', '"text"'],
    ['a number', '42'],
  ])('refuses %s with 400', (_label, body) => {
    expect(codeOf(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body }), 100))).toBe('ERR_BODY_INVALID');
  });

  it('refuses a body over the limit, plain or base64', () => {
    const big = JSON.stringify({ a: 'x'.repeat(200) });
    expect(codeOf(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body: big }), 100))).toBe('ERR_BODY_TOO_LARGE');
    const encoded = Buffer.from(big).toString('base64');
    expect(codeOf(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body: encoded, isBase64Encoded: true }), 100))).toBe(
      'ERR_BODY_TOO_LARGE',
    );
  });

  it('counts bytes, not characters', () => {
    const body = JSON.stringify({ a: 'é'.repeat(60) });
    expect(codeOf(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body }), 100))).toBe('ERR_BODY_TOO_LARGE');
  });

  it('refuses bytes that are not UTF-8', () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');
    expect(codeOf(() => readJsonObject(httpEvent({ headers: JSON_HEADERS, body, isBase64Encoded: true }), 100))).toBe('ERR_BODY_INVALID');
  });
});

describe('readCredentials', () => {
  it('returns the username and password', () => {
    expect(readCredentials({ username: 'test', password: 'test' })).toEqual({ username: 'test', password: 'test' });
  });

  it('names every bad field at once', () => {
    expect(() => readCredentials({ username: 5 })).toThrow('"username" must be a non-empty string; "password" must be a non-empty string');
  });

  it.each([
    { username: '', password: 'x' },
    { username: 'x', password: null },
    { username: ['x'], password: 'x' },
    { username: 'x', password: 'y'.repeat(2000) },
  ])('refuses %j', (body) => {
    expect(codeOf(() => readCredentials(body))).toBe('ERR_BODY_INVALID');
  });
});
