import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../../scripts/render-client-types';

// The client's request and answer types are generated from the OpenAPI document the code builds
// (in-process: no server, no network), so the client cannot drift from the server.

describe('the client’s generated types', () => {
  it('are what openapi-typescript makes of /openapi.json now', async () => {
    const committed = readFileSync(path.resolve(__dirname, '../../..', CLIENT_TYPES_FILE), 'utf8');
    const generated = await renderClientTypes();
    expect({ upToDate: committed === generated, fix: `run npm run client:types and commit ${CLIENT_TYPES_FILE}` }).toEqual({
      upToDate: true,
      fix: `run npm run client:types and commit ${CLIENT_TYPES_FILE}`,
    });
  });
});
