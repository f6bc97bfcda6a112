import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { CookieConfig } from '../config/config';

/**
 * What the page's script is told of the deployment that serves it: where the client keeps the
 * tokens, and the CSRF cookie and header names the server uses (page/src/page-settings.ts reads them).
 */
export type PageSettings = {
  /** `cookies` when tokens may travel in cookies (the mode the page is made for), else `memory` (headers). */
  readonly tokens: 'cookies' | 'memory';
  readonly csrfAccessCookie: string;
  readonly csrfRefreshCookie: string;
  readonly csrfAccessHeader: string;
  readonly csrfRefreshHeader: string;
};

/** The page's settings for this deployment's token transport. */
export function pageSettings(transport: CookieConfig): PageSettings {
  return {
    tokens: transport.cookies ? 'cookies' : 'memory',
    csrfAccessCookie: transport.accessCsrfCookieName,
    csrfRefreshCookie: transport.refreshCsrfCookieName,
    csrfAccessHeader: transport.accessCsrfHeaderName,
    csrfRefreshHeader: transport.refreshCsrfHeaderName,
  };
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * `html` with `settings` written as `data-*` attributes of its `<html>` element (`csrfAccessCookie` →
 * `data-csrf-access-cookie`), where the page's script reads them. Attributes need no CSP source.
 */
export function renderPage(html: string, settings: PageSettings): string {
  const attributes = Object.entries(settings)
    .map(([name, value]) => ` data-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}="${escapeAttribute(value)}"`)
    .join('');
  return html.replace(/<html([^>]*)>/, (_tag: string, existing: string) => `<html${existing}${attributes}>`);
}

/** The SHA-256 CSP source of an inline element's text (CSP Level 2 hash source). */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The text of every `<tag>` element of `html` (the page's own inline style and script). */
function inlineTexts(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

/**
 * A strict Content-Security-Policy for one static page: nothing loads from anywhere, its own inline
 * style and script run only by their hashes, and it talks to this origin only.
 */
export function pageSecurityPolicy(html: string): string {
  const scripts = inlineTexts(html, 'script').map(hashSource).join(' ');
  const styles = inlineTexts(html, 'style').map(hashSource).join(' ');
  return [
    "default-src 'none'",
    `script-src ${scripts || "'none'"}`,
    `style-src ${styles || "'none'"}`,
    "connect-src 'self'",
    // data: for the page's inline icon (<link rel="icon" href="data:…">), so no /favicon.ico request.
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page as an API Gateway answer, with its CSP and the usual hardening headers. */
export function pageResponse(html: string, policy: string): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': policy,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    },
    body: html,
  };
}
