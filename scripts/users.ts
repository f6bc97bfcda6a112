/**
 * `npm run users -- <command> [username] [--stage <stage>] [--region <region>]`
 *
 *   add <username>       create a user (password from the prompt, or from stdin when piped)
 *   passwd <username>    set a new password; revokes every session of the user
 *   email <username> <address>   set the user's e-mail address
 *   disable <username>   disable the user; revokes every session
 *   enable <username>    re-enable a disabled user
 *   delete <username>    delete the user, their passkeys, sessions, challenges and attempt counts
 *                        (asks for the username again unless --yes)
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
import { sweepChallenges } from '../src/passkeys/challenge-store';
import { sweepPasskeys } from '../src/passkeys/passkey-store';
import { createDynamoFamilyStore, sweepFamilies } from '../src/sessions/dynamo-family-store';
import { sweepAttempts } from '../src/users/login-attempts';
import { createDocumentClient } from '../src/platform/dynamo-client';
import { createDynamoUserStore } from '../src/users/dynamo-user-store';
import {
  AdminError,
  addUser,
  changePassword,
  deleteUser,
  disableUser,
  enableUser,
  listUsers,
  setEmail,
  userListLine,
  type AdminDeps,
} from '../src/users/user-admin';
import { ensureTables, LOCAL_REGION, readTableDefinitions, readTableNames, ROOT, startDynalite, type LocalDatabase } from './local-db';

const USAGE =
  'usage: npm run users -- add|passwd|disable|enable|delete <username> | email <username> <address> | list   [--force] [--yes] [--stage <stage>] [--region <region>]';

const HELP = `${USAGE}

  add <username>               create a user (password from the prompt, or the first line of stdin)
  passwd <username>            set a new password; ends every session of the user
  email <username> <address>   set the user's e-mail address
  disable <username>           disable the user; ends every session
  enable <username>            enable a disabled user again
  delete <username>            delete the user, their passkeys, sessions, challenges and attempt counts
                               (asks for the username again unless --yes)
  list                         list users (never their hashes)

  --force    set a password the policy refuses (8+ characters, not the username, not common)
  --yes      delete without asking
  --stage    work on that deployed stage's tables, with your AWS credentials (default: the local
             database of npm start, DYNAMODB_ENDPOINT or 127.0.0.1:DYNAMODB_PORT, else .data/)
  --region   the stage's region (default: AWS_REGION, else us-east-1)

Passwords never go on the command line. Exit status: 0 done, 1 a failure (the database, AWS), 2 a
usage or input error.`;

/** Asks the operator to type the username again before a delete; false unless it matches. */
async function confirmDelete(username: string, where: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) =>
    rl.question(`Delete user "${username}" and all their passkeys and sessions on ${where}? Type the username to confirm: `, resolve),
  );
  rl.close();
  return answer.trim() === username;
}

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

/** The command line, or a usage error naming what is wrong (parseArgs' own error, without its stack). */
function readArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        force: { type: 'boolean' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new AdminError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = readArguments();
  if (values.help === true) {
    console.log(HELP);
    return;
  }
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
      case 'delete': {
        if (values.yes !== true && !(await confirmDelete(username, local ? 'the local database' : `stage ${stage}`))) {
          throw new AdminError('not deleted: confirm by typing the username, or pass --yes');
        }
        const deleted = await deleteUser(
          {
            users: deps.users,
            sweeps: {
              passkeys: sweepPasskeys(db, tables.PASSKEYS_TABLE),
              sessions: sweepFamilies(db, tables.FAMILIES_TABLE),
              challenges: sweepChallenges(db, tables.PASSKEY_CHALLENGES_TABLE),
              attempts: sweepAttempts(db, tables.LOGIN_ATTEMPTS_TABLE),
            },
          },
          username,
        );
        console.log(
          `Deleted ${username}${deleted.user ? '' : ' (no row; leftovers only)'}: ${deleted.passkeys} passkey(s), ` +
            `${deleted.sessions} session(s), ${deleted.challenges} challenge(s), ${deleted.attempts} attempt count(s).`,
        );
        break;
      }
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

/** One line for a failure that is not the operator's input: what failed and what to do, no stack. */
function failureLine(err: unknown): string {
  const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return 'users: no AWS credentials for --stage: configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or leave out --stage for the local database';
  }
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : '';
  if (/ECONNREFUSED|fetch failed|getaddrinfo|socket hang up/i.test(`${message} ${causeText}`)) {
    return `users: the database could not be reached (${message}); is npm start running, or is --region right?`;
  }
  return `users: ${name}: ${message}`;
}

main().catch((err: unknown) => {
  console.error(err instanceof AdminError ? err.message : failureLine(err));
  process.exit(err instanceof AdminError ? 2 : 1);
});
