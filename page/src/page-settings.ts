import type { CsrfNames, TokenLocation } from 'fresh-token-lambda/client';

/** What the page is told of the deployment that serves it (src/http/page.ts writes it on `<html>`). */
export interface PageSettings {
  readonly tokens: TokenLocation;
  readonly csrf: Partial<CsrfNames>;
}

/**
 * The settings written as `data-*` attributes of `root`: `data-tokens` (`cookies` or `memory`;
 * cookies when absent, the mode the page is made for) and the CSRF cookie and header names (the
 * client's defaults when absent).
 */
export function readPageSettings(root: HTMLElement): PageSettings {
  const { tokens, csrfAccessCookie, csrfRefreshCookie, csrfAccessHeader, csrfRefreshHeader } = root.dataset;
  const csrf: Partial<Record<keyof CsrfNames, string>> = {};
  if (csrfAccessCookie) csrf.accessCookie = csrfAccessCookie;
  if (csrfRefreshCookie) csrf.refreshCookie = csrfRefreshCookie;
  if (csrfAccessHeader) csrf.accessHeader = csrfAccessHeader;
  if (csrfRefreshHeader) csrf.refreshHeader = csrfRefreshHeader;
  return { tokens: tokens === 'memory' ? 'memory' : 'cookies', csrf };
}
