// `npm start`: the whole API on http://localhost:3000 (PORT to change it) with the local stage's
// development secret and demo user test/test, until Ctrl-C.
'use strict';
const { startOffline } = require('./offline');

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const offline = await startOffline({ port, echo: true });
  console.log(`\nFresh-token API ready at http://localhost:${port} (stage "local", no path prefix). Ctrl-C stops it.`);
  if (!process.env.JWT_SECRET) console.log('Signing with the built-in DEV-ONLY secret; set JWT_SECRET to use your own.');
  const shutdown = async () => {
    await offline.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
