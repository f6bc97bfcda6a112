import { builtApiRoutes } from '../src/http/api-routes';
import { httpHandler } from '../src/http/http-handler';
import { openApiDocument } from '../src/http/openapi';
import { getHttpConfig, getTransportConfig } from '../src/wiring/token-wiring';

const config = getHttpConfig();
// Built once: it depends on the deployment's settings and serverless.yml's routes (built into this
// bundle by plugins/api-routes.js), never on the request (it is cached publicly).
const document = openApiDocument({ transport: getTransportConfig(), routes: builtApiRoutes() });

/** GET /openapi.json → the API's OpenAPI 3.1 description for this deployment's token location; its server URL is relative. */
export const handler = httpHandler(config.cors, () => ({ status: 200, body: document, cacheSeconds: 300 }));
