import html from '../page/index.html' with { type: 'text' };
import { pageResponse, pageSecurityPolicy } from '../src/http/page';

const policy = pageSecurityPolicy(html);

/** GET / → the demo page (page/index.html): the fresh-token pattern, walked through in a browser. */
export const handler = () => Promise.resolve(pageResponse(html, policy));
