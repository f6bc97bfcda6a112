import { getHeader } from '../src/http/headers';
import { httpHandler } from '../src/http/http-handler';
import { openApiDocument } from '../src/http/openapi';
import { getHttpConfig, getTransportConfig } from '../src/wiring/token-wiring';

const config = getHttpConfig();
const transport = getTransportConfig();
const DOCUMENT_PATH = '/openapi.json';

/** GET /openapi.json → the API's OpenAPI 3.1 description, for this deployment's URL and token location. */
export const handler = httpHandler(config.cors, (event) => {
  // The URL the document was fetched from, less its own path: the stage prefix on AWS, none locally.
  const proto = getHeader(event.headers, 'x-forwarded-proto') ?? 'http';
  const host = getHeader(event.headers, 'host') ?? 'localhost';
  const path = event.requestContext.path ?? DOCUMENT_PATH;
  const base = path.endsWith(DOCUMENT_PATH) ? path.slice(0, -DOCUMENT_PATH.length) : '';
  return { status: 200, body: openApiDocument({ serverUrl: `${proto}://${host}${base}`, transport }), cacheSeconds: 300 };
});
