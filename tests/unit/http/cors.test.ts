import { corsHeaders } from '../../../src/http/cors';

describe('corsHeaders', () => {
  const listed = { origins: ['https://app.example', 'http://localhost:3000'], credentials: true };

  it('lets any origin read, without credentials, with *', () => {
    expect(corsHeaders({ origins: '*', credentials: false }, 'https://evil.example')).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After',
    });
  });

  it('echoes a listed origin with credentials and Vary: Origin', () => {
    expect(corsHeaders(listed, 'http://localhost:3000')).toEqual({
      'Access-Control-Allow-Origin': 'http://localhost:3000',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After',
      Vary: 'Origin',
    });
  });

  it('allows no other origin, and still varies by Origin', () => {
    expect(corsHeaders(listed, 'https://evil.example')).toEqual({ Vary: 'Origin' });
    expect(corsHeaders(listed, undefined)).toEqual({ Vary: 'Origin' });
    expect(corsHeaders({ ...listed, credentials: false }, 'https://app.example')).not.toHaveProperty('Access-Control-Allow-Credentials');
  });
});
