/**
 * `npm run users -- <command> [username] [--stage <stage>] [--region <region>]`
 *
 *   add <username>       create a user (password from the prompt, or from stdin when piped)
 *   passwd <username>    set a new password; revokes every session of the user
 *   email <username> <address>   set the user's e-mail address
 *   disable <username>   disable the user; revokes every session
 *   enable <username>    re-enable a disabled user
 *   list                 list users (never their hashes)
 *
 * Passwords follow the policy of PUT /me/password (8+ characters, not the username, not a common
 * password); `--force` sets one anyway. *
 * Without --stage it works on the local database of `npm start` (DYNAMODB_ENDPOINT, default
 * http://127.0.0.1:8000), opening .data/ itself when nothing is listening. With --stage it works
 * on that stage's deployed tables, with your AWS credentials. Passwords never go on the command line.
 */
import { createInterface } from 'node:readline';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoFamilyStore } from '../src/sessions/dynamo-family-store';
import { createDocumentClient } from '../src/platform/dynamo-client';
import { createDynamoUserStore } from '../src/users/dynamo-user-store';
import {
  AdminError,
  addUser,
  changePassword,
  disableUser,
  enableUser,
  listUsers,
  setEmail,
  userListLine,
  type AdminDeps,
} from '../src/users/user-admin';
import { ensureTables, LOCAL_REGION, readTableDefinitions, readTableNames, ROOT, startDynalite, type LocalDatabase } from './local-db';

const USAGE =
  'usage: npm run users -- add|passwd|disable|enable <username> | email <username> <address> | list   [--force] [--stage <stage>] [--region <region>]';

/** Reads a password: hidden at a terminal prompt (asked twice), or the first line of piped stdin. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '').split(/\r?\n/)[0] ?? '';
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const output = rl as unknown as { _writeToOutput: (text: string) => void };
      let prompted = false;
      output._writeToOutput = (text: string) => {
        // Show the prompt once, echo nothing of what is typed.
        if (!prompted) process.stdout.write(text);
        prompted = true;
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Repeat password: ');
  if (first !== second) throw new AdminError('the passwords do not match');
  return first;
}

/** Connects to the local database, starting one on .data/ if `npm start` is not running. */
async function localEndpoint(): Promise<{ endpoint: string; embedded?: LocalDatabase }> {
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  try {
    await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
    return { endpoint };
  } catch {
    const embedded = await startDynalite({ dataPath: path.join(ROOT, '.data', 'dynamodb') });
    await ensureTables(embedded.endpoint, await readTableDefinitions('local'));
    return { endpoint: embedded.endpoint, embedded };
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { stage: { type: 'string' }, region: { type: 'string' }, force: { type: 'boolean' } },
  });
  const [command, name, address] = positionals;
  const force = { force: values.force === true };
  if (!command || (command !== 'list' && !name)) throw new AdminError(USAGE);
  const username = name ?? '';

  const stage = values.stage ?? 'local';
  const local = values.stage === undefined;
  const connection = local ? await localEndpoint() : undefined;
  const region = values.region ?? process.env.AWS_REGION ?? LOCAL_REGION;
  const db = createDocumentClient({ region, dynamodbEndpoint: connection?.endpoint });
  // The stage's table names as serverless.yml gives them to the functions.
  const tables = await readTableNames(stage);
  const deps: AdminDeps = {
    users: createDynamoUserStore(db, tables.USERS_TABLE),
    families: createDynamoFamilyStore(db, tables.FAMILIES_TABLE),
  };

  try {
    switch (command) {
      case 'add':
        await addUser(deps, username, await readPassword(), force);
        console.log(`Added ${username}.`);
        break;
      case 'passwd':
        console.log(`Password changed; ${await changePassword(deps, username, await readPassword(), force)} session(s) revoked.`);
        break;
      case 'disable':
        console.log(`Disabled ${username}; ${await disableUser(deps, username)} session(s) revoked.`);
        break;
      case 'enable':
        await enableUser(deps, username);
        console.log(`Enabled ${username}.`);
        break;
      case 'email':
        if (!address) throw new AdminError(USAGE);
        console.log(`E-mail of ${username} set to ${await setEmail(deps, username, address)}.`);
        break;
      case 'list':
        for (const user of await listUsers(deps)) console.log(userListLine(user));
        break;
      default:
        throw new AdminError(USAGE);
    }
  } finally {
    db.destroy();
    await connection?.embedded?.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof AdminError ? err.message : err);
  process.exit(err instanceof AdminError ? 2 : 1);
});
