/**
 * `npm run users -- <command> [username] [--port <port>] [--stage <stage>] [--region <region>]`:
 * adds, changes, disables, deletes and lists users, on the local database of this checkout's running
 * `npm start` (or DYNAMODB_ENDPOINT), or with --stage on that stage's deployed tables, with your AWS
 * credentials. It says which database it works on; passwords never go on the command line.
 */
import { createInterface } from 'node:readline';
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
import { awsFailureLine, CliError, regionSetting, runCli, UsageError, type CliSpec } from './cli';
import { LOCAL_REGION, readTableNames } from './local-db';
import { portNumber, portSetting } from './local-ports';
import { chooseStack, describeStack, liveStacks } from './local-stacks';

export const cli = {
  name: 'users',
  usage:
    'usage: npm run users -- add|passwd|disable|enable|delete <username> | email <username> <address> | list   [--force] [--yes] [--port <port>] [--stage <stage> [--region <region>]]',
  help: `Manages the users of a local stack or of a deployed stage.

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
  --port     the local stack of this checkout serving that port (also PORT), when several run
  --stage    work on that deployed stage's tables, with your AWS credentials
  --region   the stage's region (default: AWS_REGION, else us-east-1)

Without --stage it works on the database of this checkout's running npm start (DYNAMODB_ENDPOINT
names another), and refuses when none runs. It says on stderr which database it uses. Passwords
never go on the command line. Exit status: 0 done, 1 a failure (the database, AWS), 2 a usage or
input error.`,
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    port: { type: 'string' },
    force: { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  positionals: { min: 1, max: 3 },
} satisfies CliSpec;

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

/**
 * The local database to work on, and how to name it: DYNAMODB_ENDPOINT (or DYNAMODB_PORT) when the
 * shell names one, else the database of this checkout's running stack (the one on --port or PORT
 * when several run).
 */
async function localDatabase(portOption: string | undefined): Promise<{ endpoint: string; description: string }> {
  if (process.env.DYNAMODB_ENDPOINT)
    return { endpoint: process.env.DYNAMODB_ENDPOINT, description: `the database at ${process.env.DYNAMODB_ENDPOINT} (DYNAMODB_ENDPOINT)` };
  const dynamodbPort = portSetting(process.env, 'DYNAMODB_PORT');
  if (dynamodbPort !== undefined)
    return {
      endpoint: `http://127.0.0.1:${dynamodbPort}`,
      description: `the database at http://127.0.0.1:${dynamodbPort} (DYNAMODB_PORT)`,
    };
  const port = portOption === undefined ? portSetting(process.env, 'PORT') : portNumber(portOption, '--port');
  const stack = chooseStack(await liveStacks(), port, 'npm run users --');
  return { endpoint: stack.dynamodbEndpoint, description: `the local database of ${describeStack(stack)}` };
}

const COMMANDS = ['add', 'passwd', 'email', 'disable', 'enable', 'delete', 'list'];

/** The command: what the line asks of the database it names, in words on stdout; which database on stderr. */
export async function main({
  values,
  positionals,
}: {
  values: { stage?: string; region?: string; port?: string; force?: boolean; yes?: boolean };
  positionals: string[];
}): Promise<void> {
  const [command = '', name, address] = positionals;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
  const wanted = command === 'list' ? 0 : command === 'email' ? 2 : 1;
  const given = positionals.length - 1;
  // A password typed after the username is left unused (and unechoed): passwords come from the prompt or stdin only.
  if (given > wanted && (command === 'add' || command === 'passwd'))
    console.error(
      'users: the argument after the username is ignored: passwords are read from the prompt or stdin, never from the command line',
    );
  else if (given !== wanted)
    throw new UsageError(
      wanted === 0 ? `${command} takes no argument` : `${command} takes ${wanted === 2 ? 'a username and an address' : 'a username'}`,
    );
  const username = name ?? '';
  const force = { force: values.force === true };
  if (values.stage !== undefined && values.port !== undefined)
    throw new UsageError('--port picks a local stack; --stage a deployed one: give one of them');
  if (values.stage === undefined && values.region !== undefined)
    throw new UsageError('--region goes with --stage (the local database has no region)');
  if (values.stage === 'local') throw new UsageError("--stage local is npm start's stage: leave out --stage to work on its database");

  const local = values.stage === undefined;
  const stage = values.stage ?? 'local';
  const region = local
    ? LOCAL_REGION
    : regionSetting(values.region ?? process.env.AWS_REGION ?? LOCAL_REGION, values.region === undefined ? 'AWS_REGION' : '--region');
  const connection = local ? await localDatabase(values.port) : undefined;
  // The stage's table names as serverless.yml gives them to the functions.
  const tables = await readTableNames(stage);
  console.error(
    `users: working on ${connection ? connection.description : `stage ${stage} in ${region} (table ${tables.USERS_TABLE}), with your AWS credentials`}`,
  );
  const db = createDocumentClient({ region, dynamodbEndpoint: connection?.endpoint });
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
        console.log(`E-mail of ${username} set to ${await setEmail(deps, username, address ?? '')}.`);
        break;
      case 'list':
        for (const user of await listUsers(deps)) console.log(userListLine(user));
        break;
    }
  } catch (err) {
    // What the user rules refuse (a weak password, a malformed username) is the operator's input: exit status 2.
    throw err instanceof AdminError ? new CliError(err.message, 2) : err;
  } finally {
    db.destroy();
  }
}

/** A failure of the database or of AWS, as one line saying what to do. */
export function explain(err: unknown): string | undefined {
  return awsFailureLine(err, {
    credentials:
      'configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or leave out --stage for the local database',
    unreachable: { what: 'the database', todo: 'is its npm start still running (with --stage: is --region right)?' },
  });
}

if (require.main === module) runCli(cli, main, explain);
