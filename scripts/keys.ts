/**
 * `npm run -s keys -- EdDSA|ES256`: prints a new key pair as JSON
 * {"privateKey": "<private JWK>", "publicKeys": "<JWKS>"}, ready for the SSM parameters.
 */
import { generateKeyMaterial } from './local-keys';

const alg = process.argv[2];
if (alg !== 'EdDSA' && alg !== 'ES256') {
  console.error('usage: npm run -s keys -- EdDSA|ES256');
  process.exit(2);
}
generateKeyMaterial(alg).then(
  (material) => console.log(JSON.stringify(material)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
