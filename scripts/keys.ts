/**
 * `npm run -s keys -- EdDSA|ES256`: prints a new key pair as JSON
 * {"privateKey": "<private JWK>", "publicKeys": "<JWKS>"}, ready for the SSM parameters.
 */
import { runCli, UsageError, type CliSpec } from './cli';
import { generateKeyMaterial } from './local-keys';

export const cli = {
  name: 'keys',
  usage: 'usage: npm run -s keys -- EdDSA|ES256 > keys.json',
  help: `Prints a new signing key pair for a deployed stage with JWT_ALG=EdDSA or ES256, as one line of JSON:

  {"privateKey": "<private JWK>", "publicKeys": "<JWKS>"}

It is what the SSM parameters of a stage hold: privateKey goes into the SecureString
/fresh-token-lambda/<stage>/jwt-private-key (read by the functions that sign tokens), publicKeys
into /fresh-token-lambda/<stage>/jwt-public-keys (read by the authorizers and served at
/.well-known/jwks.json). docs/deploying.md shows the commands that store them for a first deploy;
docs/tokens-and-freshness.md how to rotate to a new pair; npm run deploy:check checks them.

The private key is a secret: send the output to a file only you can read (umask 077) and delete
it once stored, never to a terminal or a log. npm start needs none of this: it makes its own pair
in .keys/. -s keeps npm's own lines out of the JSON. HS256 needs no pair: its secret is 48 random
bytes (openssl rand -base64 48).

Exit status: 0 printed, 2 a usage error.`,
  positionals: { min: 1, max: 1 },
} satisfies CliSpec;

async function main({ positionals: [alg] }: { positionals: string[] }): Promise<void> {
  if (alg !== 'EdDSA' && alg !== 'ES256') throw new UsageError(`the algorithm must be EdDSA or ES256, got "${alg ?? ''}"`);
  console.log(JSON.stringify(await generateKeyMaterial(alg)));
}

if (require.main === module) runCli(cli, main);
