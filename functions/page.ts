import template from '../page/index.html' with { type: 'text' };
import { pageResponse, pageSecurityPolicy, pageSettings, renderPage } from '../src/http/page';
import { getTransportConfig } from '../src/wiring/token-wiring';

// Once per cold start: the page (its script bundled in at build time by plugins/page-script.js),
// told where this deployment's tokens travel, and the CSP that allows its one script by its hash.
const html = renderPage(template, pageSettings(getTransportConfig()));
const policy = pageSecurityPolicy(html);

/** GET / → the demo page (page/index.html and page/src/): the fresh-token pattern, walked through in a browser. */
export const handler = () => Promise.resolve(pageResponse(html, policy));
