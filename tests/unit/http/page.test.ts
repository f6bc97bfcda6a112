import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTransportConfig } from '../../../src/config/config';
import { pageSecurityPolicy, pageSettings, renderPage } from '../../../src/http/page';
import { handler } from '../../../functions/page';

// The demo page as the page function serves it: its script (page/src/ on the client) bundled in,
// inline, and allowed by the CSP by that script's hash alone; the deployment's token settings on
// <html>. The browser tier (tests/browser/demo-page.test.ts) runs it; this checks what is served.

const ROOT = path.resolve(__dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own CommonJS plugin
const { inlinePageScriptsSync, PAGE } = require('../../../plugins/page-script.js') as {
  inlinePageScriptsSync: (html: string, file: string) => { html: string; inputs: string[] };
  PAGE: string;
};

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const scripts = (html: string) =>
  [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map(([, attributes, body]) => ({ attributes, body: body ?? '' }));

describe('the demo page', () => {
  it('is served with its script inline, allowed by the CSP by its hash alone', async () => {
    const answer = await handler();
    const csp = answer.headers?.['Content-Security-Policy'];
    const [script, ...others] = scripts(answer.body);
    expect(others).toEqual([]);
    expect(script?.attributes).toBe('');
    expect(script?.body.length).toBeGreaterThan(1000);
    expect(answer.body).not.toMatch(/src="[^"]*\.ts"/);
    const directives = String(csp).split('; ');
    expect(directives).toContain(`script-src ${sha256(script?.body ?? '')}`);
    expect(directives).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ]),
    );
    expect(String(csp)).not.toMatch(/unsafe-|'self' 'sha|script-src[^;]*'self'/);
  });

  it('tells its script where the tokens travel and the CSRF names, on <html>', () => {
    const cookies = pageSettings(loadTransportConfig({ TOKEN_LOCATION: 'cookies', JWT_ACCESS_CSRF_HEADER_NAME: 'X-Access-Csrf' }));
    expect(cookies).toEqual({
      tokens: 'cookies',
      csrfAccessCookie: 'csrf_access_token',
      csrfRefreshCookie: 'csrf_refresh_token',
      csrfAccessHeader: 'X-Access-Csrf',
      csrfRefreshHeader: 'X-CSRF-TOKEN',
    });
    expect(pageSettings(loadTransportConfig({ TOKEN_LOCATION: 'headers,cookies' })).tokens).toBe('cookies');
    expect(pageSettings(loadTransportConfig({ TOKEN_LOCATION: 'headers' })).tokens).toBe('memory');
    const html = renderPage('<!doctype html>\n<html lang="en">\n<head></head></html>', cookies);
    expect(html).toContain(
      '<html lang="en" data-tokens="cookies" data-csrf-access-cookie="csrf_access_token" data-csrf-refresh-cookie="csrf_refresh_token" ' +
        'data-csrf-access-header="X-Access-Csrf" data-csrf-refresh-header="X-CSRF-TOKEN">',
    );
    // The attributes are outside the hashed script: the CSP is the same whatever the settings.
    const memory = renderPage(html, pageSettings(loadTransportConfig({})));
    expect(pageSecurityPolicy(memory)).toBe(pageSecurityPolicy(html));
  });

  it('bundles only the page’s code, the client and the client’s browser libraries: no server code, nothing of Node', () => {
    const { inputs } = inlinePageScriptsSync(readFileSync(PAGE, 'utf8'), PAGE);
    const where = inputs.map((input) => path.relative(ROOT, input));
    expect(where.filter((input) => input.startsWith('page/src/')).length).toBeGreaterThan(0);
    expect(where.filter((input) => input.startsWith('client/src/')).length).toBeGreaterThan(0);
    const packageOf = (input: string) => {
      const [, scope = '', name = ''] = input.split('/');
      return scope.startsWith('@') ? `${scope}/${name}` : scope;
    };
    const packages = new Set(where.filter((input) => input.startsWith('node_modules/')).map(packageOf));
    expect([...packages].sort()).toEqual(['@simplewebauthn/browser', 'openapi-fetch']);
    expect(where.filter((input) => !/^(page\/src|client\/src|node_modules)\//.test(input))).toEqual([]);
  });
});
