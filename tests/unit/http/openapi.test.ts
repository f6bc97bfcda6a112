import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenAPIV3_1 } from 'openapi-types';
import { loadTransportConfig } from '../../../src/config/config';
import type { ApiRoute } from '../../../src/http/api-routes';
import { openApiDocument } from '../../../src/http/openapi';
import { profileReply, sessionsEndedReply, sessionsReply, tokenDelivery, tokensReply } from '../../../src/http/replies';
import { ROUTE_SCHEMAS } from '../../../src/http/route-schemas';
import { httpEvent, lambdaContext } from '../../helpers/events';
import { serviceRoutes } from '../../helpers/service-routes';
import { passkeyAddedReply, passkeyRemovedReply, passkeysReply } from '../../../src/http/passkey-replies';
import { passkeyAuthn, PASSWORD_AUTHN } from '../../../src/tokens/authn';

const headers = loadTransportConfig({});
const cookies = loadTransportConfig({ TOKEN_LOCATION: 'cookies' });
/** The routes of serverless.yml, as plugins/api-routes.js builds them into the openapi function. */
const ROUTES = serviceRoutes();
const document = (transport = headers, routes: readonly ApiRoute[] = ROUTES) =>
  openApiDocument({ transport, routes }) as unknown as OpenAPIV3_1.Document;

/** The 200 schema of one route, compiled with the JSON Schema dialect OpenAPI 3.1 uses. */
function validator(method: string, path: string) {
  const row = ROUTE_SCHEMAS[`${method.toUpperCase()} ${path}`];
  if (!row) throw new Error(`no schema for ${method} ${path}`);
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  return ajv.compile(row.response);
}

describe('the OpenAPI document', () => {
  it.each([
    ['headers', headers],
    ['cookies', cookies],
  ])('is a valid OpenAPI 3.1 document with %s (swagger-parser)', async (_, transport) => {
    await expect(SwaggerParser.validate(structuredClone(document(transport)))).resolves.toBeDefined();
  });

  it('describes the security each route takes: Bearer, or the cookie with the CSRF header on state-changing methods', () => {
    const both = document(loadTransportConfig({ TOKEN_LOCATION: 'headers,cookies' }));
    expect(both.paths?.['/sessions/{id}']?.delete?.security).toEqual([{ bearer: [] }, { accessCookie: [], accessCsrf: [] }]);
    expect(both.paths?.['/sessions']?.get?.security).toEqual([{ bearer: [] }, { accessCookie: [] }]);
    expect(both.paths?.['/refresh']?.post?.security).toEqual([{ bearer: [] }, { refreshCookie: [], refreshCsrf: [] }]);
    expect(both.paths?.['/login']?.post?.security).toEqual([]);
  });

  it('lists each route’s error answers from the error table, with their challenges and Retry-After', () => {
    const fresh = document().paths?.['/protected-fresh']?.get?.responses as Record<string, OpenAPIV3_1.ResponseObject>;
    expect(Object.keys(fresh).sort()).toEqual(['200', '401', '429', '500']);
    const challenge = fresh['401']?.headers?.['WWW-Authenticate'] as OpenAPIV3_1.HeaderObject;
    expect(JSON.stringify(challenge)).toContain('insufficient_user_authentication');
    const login = document().paths?.['/login']?.post?.responses as Record<string, OpenAPIV3_1.ResponseObject>;
    expect(Object.keys(login).sort()).toEqual(['200', '400', '401', '413', '415', '429', '500', '501', '503']);
    expect(login['429']?.headers).toHaveProperty('Retry-After');
    expect(login['503']?.headers).toHaveProperty('Retry-After');
    // A strong route names the acr it requires, in the challenge and in the body.
    const strong = document().paths?.['/protected-strong']?.get?.responses as Record<string, OpenAPIV3_1.ResponseObject>;
    expect(JSON.stringify(strong['401']?.headers?.['WWW-Authenticate'])).toContain('acr_values=\\"urn:fresh-token:acr:phr\\"');
    expect(JSON.stringify(strong['401']?.content)).toContain('acr_values');
  });

  it('describes a route the schema table has no row for: its guard in words, its security, its error answers, any JSON answer', async () => {
    const pay: ApiRoute = {
      method: 'post',
      path: '/orders/{id}/pay',
      function: 'pay',
      guard: { name: 'fresh-60s', checks: 'fresh-only', maxAgeSeconds: 60 },
    };
    const withPay = document(headers, [...ROUTES, pay]);
    await expect(SwaggerParser.validate(structuredClone(withPay))).resolves.toBeDefined();
    const operation = withPay.paths?.['/orders/{id}/pay']?.post as OpenAPIV3_1.OperationObject;
    expect(operation).toMatchObject({
      summary: 'POST /orders/{id}/pay',
      description: 'Behind the fresh-60s authorizer: a fresh access token, the password proven at most 60 s ago.',
      operationId: 'postOrdersIdPay',
      security: [{ bearer: [] }],
      'x-authorizer': pay.guard,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    });
    const responses = operation.responses as Record<string, OpenAPIV3_1.ResponseObject>;
    expect(Object.keys(responses).sort()).toEqual(['200', '401', '429', '500']);
    expect(responses['200']).toEqual({ description: 'OK', content: { 'application/json': { schema: {} } } });
    // Both of the authorizer's refusals: no valid token, and a token not fresh (or not recent) enough.
    const challenges = (responses['401']?.headers?.['WWW-Authenticate'] as OpenAPIV3_1.HeaderObject).schema as { examples: string[] };
    expect(challenges.examples).toEqual([
      'Bearer error="invalid_token"',
      'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"',
    ]);
    expect(operation.requestBody).toBeUndefined();
  });

  it('describes each guard by what it checks: any valid token, a fresh one of a class, a function’s description, an authorizer it cannot read', () => {
    const routes: ApiRoute[] = [
      {
        method: 'get',
        path: '/orders',
        function: 'orders',
        description: 'The caller’s orders',
        guard: { name: 'mine', checks: 'any-valid' },
      },
      {
        method: 'patch',
        path: '/orders/{id}',
        function: 'order-edit',
        guard: { name: 'strong', checks: 'fresh-only', requireAcr: 'urn:example:acr:mfa' },
      },
      { method: 'delete', path: '/orders/{id}', function: 'order-drop', guard: { name: 'partner-authorizer', checks: 'other' } },
      { method: 'get', path: '/status', function: 'status' },
    ];
    const paths = document(loadTransportConfig({ TOKEN_LOCATION: 'headers,cookies' }), routes).paths!;
    const list = paths['/orders']!.get!;
    expect(list).toMatchObject({ summary: 'The caller’s orders', description: 'Behind the mine authorizer: any valid access token.' });
    expect(JSON.stringify(list.responses)).not.toContain('insufficient_user_authentication');
    const edit = paths['/orders/{id}']!.patch!;
    expect(edit.description).toBe(
      'Behind the strong authorizer: a fresh access token, from an authentication of class urn:example:acr:mfa.',
    );
    // PATCH changes state: with the access cookie, the CSRF header too.
    expect(edit.security).toEqual([{ bearer: [] }, { accessCookie: [], accessCsrf: [] }]);
    expect(JSON.stringify(edit.responses?.['401'])).toContain('acr_values=\\"urn:example:acr:mfa\\"');
    const drop = paths['/orders/{id}']!.delete!;
    expect(drop.description).toBe('Behind the partner-authorizer authorizer: what that authorizer checks.');
    expect(Object.keys(drop.responses ?? {}).sort()).toEqual(['200', '401', '429', '500']);
    const status = paths['/status']!.get!;
    expect(status.security).toEqual([]);
    expect(status.description).toBeUndefined();
    expect(Object.keys(status.responses ?? {}).sort()).toEqual(['200', '429', '500']);
  });

  it('has a schema row only for routes serverless.yml declares', () => {
    const declared = new Set(ROUTES.map((route) => `${route.method.toUpperCase()} ${route.path}`));
    expect(Object.keys(ROUTE_SCHEMAS).filter((key) => !declared.has(key))).toEqual([]);
    expect(declared.size).toBeGreaterThan(20);
  });

  it('matches what the handlers answer', () => {
    const tokens = { sub: 'alice', accessToken: 'a.b.c', refreshToken: 'd.e.f' };
    const delivery = (transport = headers) => tokenDelivery({ transport, accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 60 });
    const login = validator('post', '/login');
    expect(login(tokensReply(tokens, delivery(), { login: true }).body)).toBe(true);
    expect(login(tokensReply(tokens, delivery(loadTransportConfig({ TOKEN_LOCATION: 'cookies' })), { login: true }).body)).toBe(true);
    expect(validator('post', '/refresh')(tokensReply(tokens, delivery(cookies), { refresh: true }).body)).toBe(true);
    expect(validator('post', '/fresh-login')(tokensReply({ sub: 'alice', accessToken: 'a.b.c' }, delivery(), { login: true }).body)).toBe(
      true,
    );
    const session = { id: 'f', createdAt: 1, lastUsedAt: 2, expiresAt: 3, current: true };
    expect(validator('get', '/sessions')(sessionsReply('alice', { sessions: [session], next: 'c' }).body)).toBe(true);
    expect(validator('delete', '/sessions')(sessionsEndedReply('alice', 2).body)).toBe(true);
    expect(validator('delete', '/sessions/{id}')(sessionsEndedReply('alice').body)).toBe(true);
    expect(validator('get', '/me')(profileReply({ username: 'alice', createdAt: 1, fresh: false, authn: PASSWORD_AUTHN }).body)).toBe(true);
    expect(validator('get', '/me')(profileReply({ username: 'alice', createdAt: 1, fresh: true, authn: passkeyAuthn(true) }).body)).toBe(
      true,
    );
    expect(
      validator(
        'get',
        '/me',
      )(profileReply({ username: 'alice', createdAt: 1, fresh: true, authn: { acr: 'urn:x', amr: [] } as never }).body),
    ).toBe(false);
    const passkey = {
      credentialId: 'abc',
      username: 'alice',
      publicKey: new Uint8Array(),
      counter: 0,
      backedUp: true,
      deviceType: 'multiDevice',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Laptop',
      createdAt: 1,
    };
    expect(validator('get', '/me/passkeys')(passkeysReply('alice', [passkey, { ...passkey, lastUsedAt: 2 }]).body)).toBe(true);
    expect(validator('post', '/me/passkeys')(passkeyAddedReply(passkey).body)).toBe(true);
    // A registration creates: 201, and the document says so (no 200 for it).
    expect(passkeyAddedReply(passkey).status).toBe(201);
    const added = document().paths?.['/me/passkeys']?.post?.responses as Record<string, OpenAPIV3_1.ResponseObject>;
    expect(added['201']?.description).toBe('Created');
    expect(added).not.toHaveProperty('200');
    expect(validator('delete', '/me/passkeys/{id}')(passkeyRemovedReply('alice').body)).toBe(true);
    // And refuses what they never answer.
    expect(login({ access_token: 'a.b.c' })).toBe(false);
  });

  it('is the same document whatever Host and X-Forwarded-Proto say, since a shared cache keeps one copy for everyone', async () => {
    // The routes a build puts into the bundle (plugins/api-routes.js); read when the module loads.
    Object.assign(globalThis, { FRESH_TOKEN_API_ROUTES: ROUTES });
    const { handler: openApiHandler } = await import('../../../functions/openapi');
    const fetched = async (headers: Record<string, string>) => {
      const event = httpEvent({ httpMethod: 'GET', path: '/openapi.json', headers });
      const response = await openApiHandler(
        { ...event, requestContext: { ...event.requestContext, path: '/prod/openapi.json' } },
        lambdaContext(),
      );
      return { cacheControl: response.headers?.['Cache-Control'], body: response.body };
    };
    const honest = await fetched({ Host: 'abc123def4.execute-api.eu-west-1.amazonaws.com', 'X-Forwarded-Proto': 'https' });
    const forged = await fetched({ Host: 'evil.example', 'X-Forwarded-Proto': 'javascript' });
    expect(forged).toEqual(honest);
    expect(honest.body).not.toContain('evil.example');
    expect(honest.cacheControl).toBe('public, max-age=300');
    // Relative: resolved against where the document was fetched (the stage path on AWS, / locally).
    expect((JSON.parse(honest.body) as OpenAPIV3_1.Document).servers).toEqual([expect.objectContaining({ url: '.' })]);
  });
});

describe('the README’s route table', () => {
  /** The rows of the table under the README's opening: `method path`, guard, and the answers cell. */
  const rows = (() => {
    const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| route | guarded by | answers |')).split('\n\n')[0] ?? '';
    return table
      .split('\n')
      .slice(2)
      .map((line) => {
        const [route = '', guard = '', answers = ''] = line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim());
        const [method = '', routePath = ''] = (/^`([^`]+)`/.exec(route)?.[1] ?? '').replace(/\[.*\]$/, '').split(' ');
        const named = /\*\*([\w-]+)\*\*/.exec(guard)?.[1];
        return {
          route: `${method.toLowerCase()} ${routePath}`,
          guard: named ?? (guard === '–' ? 'none' : guard === 'the handler itself' ? 'refresh-token' : guard),
          answers,
        };
      });
  })();

  it('lists exactly the routes of serverless.yml, each with its guard', () => {
    const documented = rows.map(({ route, guard }) => `${route} ${guard}`).sort();
    const guardOf = (route: ApiRoute) =>
      route.guard?.name ?? (ROUTE_SCHEMAS[`${route.method.toUpperCase()} ${route.path}`]?.refreshToken ? 'refresh-token' : 'none');
    expect(documented).toEqual(ROUTES.map((route) => `${route.method} ${route.path} ${guardOf(route)}`).sort());
  });

  it('names every field each route answers with', () => {
    const missing: string[] = [];
    for (const [key, { response }] of Object.entries(ROUTE_SCHEMAS)) {
      const schema = (response.oneOf as Record<string, unknown>[] | undefined)?.[0] ?? response;
      const fields = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      const row = rows.find((r) => r.route === key.toLowerCase().replace(/ .*/, '') + key.slice(key.indexOf(' ')));
      for (const field of fields) if (!row?.answers.includes(`"${field}"`)) missing.push(`${key}: ${field}`);
    }
    expect(missing).toEqual([]);
  });
});
