/**
 * The facts of the docs that serverless.yml and the code decide, rendered as the docs show them:
 * the authorizers, which key parameters each function reads, the tables' settings, the stack's
 * exports, the alarms (from the service as serverless resolves it: `serverless print`, or the
 * packaged `serverless-state.json`), and the metrics (from the error table and the functions that
 * count). `npm run docs:facts` writes them into the docs; the doc-facts tests hold the docs to them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_TABLE, type MetricName } from '../src/errors/error-table';
import type { ErrorCode } from '../src/errors/errors';

const ROOT = path.resolve(__dirname, '..');

type CfnValue = unknown;

/** An http event's authorizer as serverless resolves it. */
interface EventAuthorizer {
  readonly name?: string;
  readonly resultTtlInSeconds?: number | string;
}

/** A function as serverless resolves it: what these facts read. */
export interface ServiceFunction {
  readonly handler: string;
  readonly environment?: Record<string, string>;
  readonly keyAccess?: string | string[];
  readonly memorySize?: number;
  readonly events?: readonly {
    readonly http?: { readonly path: string; readonly method: string; readonly authorizer?: EventAuthorizer | string };
  }[];
}

interface Resource {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties: Record<string, CfnValue>;
}

/** The service as serverless resolves it for one stage (`serverless print`, or `service` of serverless-state.json). */
export interface ResolvedService {
  readonly service: string | { readonly name: string };
  readonly provider: { readonly stage: string; readonly environment?: Readonly<Record<string, string>> };
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  readonly resources: {
    readonly Resources: Readonly<Record<string, Resource>>;
    readonly Outputs?: Readonly<
      Record<string, { readonly Description?: string; readonly Value: CfnValue; readonly Export?: { readonly Name: string } }>
    >;
  };
  readonly custom: {
    readonly functionRoles: { readonly keyParameters: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> };
  };
}

const serviceName = (service: ResolvedService) => (typeof service.service === 'string' ? service.service : service.service.name);
const code = (text: string | number) => `\`${text}\``;
/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[], last = 'and'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1) ?? ''}`;
}

/** The logical id serverless gives a function's Lambda (`any-valid` → `AnyDashvalidLambdaFunction`). */
export function lambdaLogicalId(name: string): string {
  const normalized = name.replaceAll('-', 'Dash').replaceAll('_', 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** The routes of each authorizer, and the TTL API Gateway gives its decisions: the last event's (serverless merges them by name). */
function authorizerUses(service: ResolvedService): Map<string, { routes: string[]; ttl: number }> {
  const uses = new Map<string, { routes: string[]; ttl: number }>();
  for (const fn of Object.values(service.functions)) {
    for (const event of fn.events ?? []) {
      const http = event.http;
      const authorizer = typeof http?.authorizer === 'string' ? { name: http.authorizer } : http?.authorizer;
      if (!http || authorizer?.name === undefined) continue;
      const use = uses.get(authorizer.name) ?? { routes: [], ttl: 300 };
      use.routes.push(`${http.method.toUpperCase()} /${http.path.replace(/^\//, '')}`);
      use.ttl = Number(authorizer.resultTtlInSeconds ?? 300);
      uses.set(authorizer.name, use);
    }
  }
  return uses;
}

/** The output exporting a function's ARN, if any. */
function exportOf(service: ResolvedService, functionName: string): string | undefined {
  const logicalId = lambdaLogicalId(functionName);
  return Object.entries(service.resources.Outputs ?? {}).find(([, output]) => {
    const value = output.Value as { 'Fn::GetAtt'?: [string, string] };
    return value['Fn::GetAtt']?.[0] === logicalId && value['Fn::GetAtt'][1] === 'Arn' && output.Export !== undefined;
  })?.[0];
}

/** The functions that are authorizers: their handler is in authorizers/. */
export function authorizerNames(service: ResolvedService): string[] {
  return Object.entries(service.functions)
    .filter(([, fn]) => fn.handler.startsWith('authorizers/'))
    .map(([name]) => name);
}

/** What an authorizer lets through, from its pipeline and settings. */
function allows(fn: ServiceFunction): string {
  const file = fn.handler.replace(/\.\w+$/, '');
  if (file === 'authorizers/any-valid') return 'any valid access token';
  if (file !== 'authorizers/fresh-only') return `what ${code(`${file}.ts`)} decides`;
  const maxAge = Number(fn.environment?.FRESH_MAX_AGE ?? 0);
  const acr = fn.environment?.FRESH_REQUIRE_ACR ?? '';
  return [
    'a fresh access token',
    ...(maxAge > 0 ? [`whose proof (${code('auth_time')}) is at most ${maxAge} s old (${code('FRESH_MAX_AGE')})`] : []),
    ...(acr !== '' ? [`with an ${code('acr')} of at least ${code(acr)} (${code('FRESH_REQUIRE_ACR')}: a passkey step-up)`] : []),
  ].join(', ');
}

/** tokens-and-freshness.md: every authorizer, its pipeline, what it allows, its cache, its routes and its export. */
export function renderAuthorizers(service: ResolvedService): string {
  const uses = authorizerUses(service);
  const rows = authorizerNames(service).map((name) => {
    const fn = service.functions[name]!;
    const use = uses.get(name);
    const ttl = use?.ttl ?? 0;
    const output = exportOf(service, name);
    return `| **${name}** | ${code(`${fn.handler.replace(/\.\w+$/, '')}.ts`)} | ${allows(fn)} | ${ttl > 0 ? `${ttl} s per token` : 'never'} | ${
      use ? use.routes.map(code).join(', ') : 'none here'
    } | ${output ? code(`…-${output}`) : 'not exported'} |`;
  });
  return [
    '| authorizer | pipeline | allows | decision cached | guards | exported as |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** A function's keyAccess as one label (`verify`, `[sign, verify]`), or `–` for none. */
function accessLabel(keyAccess: string | string[] | undefined): string {
  if (keyAccess === undefined) return '–';
  const kinds = [keyAccess].flat().sort();
  return kinds.length === 1 ? code(kinds[0]!) : code(`[${kinds.join(', ')}]`);
}

/** deploying.md: which key parameters each function's role may read, by keyAccess and algorithm. */
export function renderKeyAccess(service: ResolvedService): string {
  const { keyParameters } = service.custom.functionRoles;
  // Algorithms with the same parameters share a column (EdDSA and ES256).
  const columns: { algorithms: string[]; byAccess: Readonly<Record<string, readonly string[]>> }[] = [];
  for (const [algorithm, byAccess] of Object.entries(keyParameters)) {
    const same = columns.find((column) => JSON.stringify(column.byAccess) === JSON.stringify(byAccess));
    if (same) same.algorithms.push(algorithm);
    else columns.push({ algorithms: [algorithm], byAccess });
  }
  const groups = new Map<string, { kinds: string[]; functions: string[] }>();
  for (const [name, fn] of Object.entries(service.functions)) {
    const label = accessLabel(fn.keyAccess);
    const group = groups.get(label) ?? { kinds: fn.keyAccess === undefined ? [] : [fn.keyAccess].flat(), functions: [] };
    group.functions.push(name);
    groups.set(label, group);
  }
  const rows = [...groups.entries()].map(([label, { kinds, functions }]) => {
    const cells = columns.map(({ byAccess }) => {
      const parameters = [...new Set(kinds.flatMap((kind) => byAccess[kind] ?? []))];
      return parameters.length === 0 ? 'nothing' : parameters.map(code).join(', ');
    });
    return `| ${label} | ${functions.join(', ')} | ${cells.join(' | ')} |`;
  });
  return [
    `| ${code('keyAccess')} | functions | ${columns.map((column) => column.algorithms.join(' / ')).join(' | ')} |`,
    `| --- | --- | ${columns.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
  ].join('\n');
}

/** The DynamoDB tables of the service, by logical id. */
export function tablesOf(service: ResolvedService): [string, Resource][] {
  return Object.entries(service.resources.Resources).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
}

/** A table's name with the service and stage as the docs write them: `…-users`. */
export function shortTableName(service: ResolvedService, table: Resource): string {
  const prefix = `${serviceName(service)}-${service.provider.stage}-`;
  const name = String(table.Properties.TableName);
  return name.startsWith(prefix) ? `…-${name.slice(prefix.length)}` : name;
}

/** deploying.md: each table's key, indexes, and the settings that matter when operating it. */
export function renderTables(service: ResolvedService): string {
  const rows = tablesOf(service).map(([, table]) => {
    const p = table.Properties as {
      KeySchema?: { AttributeName: string; KeyType: string }[];
      GlobalSecondaryIndexes?: { IndexName: string }[];
      BillingMode?: string;
      SSESpecification?: { SSEEnabled?: boolean };
      PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean };
      TimeToLiveSpecification?: { AttributeName: string; Enabled?: boolean };
    };
    const key = (p.KeySchema ?? []).map((part) => code(part.AttributeName)).join(' + ');
    const indexes = (p.GlobalSecondaryIndexes ?? []).map((index) => code(index.IndexName));
    const yes = (flag: boolean | undefined) => (flag === true ? 'yes' : 'no');
    const ttl = p.TimeToLiveSpecification?.Enabled === true ? code(p.TimeToLiveSpecification.AttributeName) : '–';
    const kept = table.DeletionPolicy?.startsWith('Retain') === true ? `yes (${code(table.DeletionPolicy)})` : 'no';
    return `| ${code(shortTableName(service, table))} | ${key} | ${indexes.length > 0 ? indexes.join(', ') : '–'} | ${
      p.BillingMode === 'PAY_PER_REQUEST' ? 'per request' : code(p.BillingMode ?? 'PROVISIONED')
    } | ${yes(p.SSESpecification?.SSEEnabled)} | ${yes(p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled)} | ${ttl} | ${kept} |`;
  });
  return [
    '| table | key | indexes | billing | encrypted at rest | point-in-time recovery | TTL attribute | kept if the stack is deleted |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** deploying.md: what the stack exports for other stacks, and under which name. */
export function renderExports(service: ResolvedService): string {
  const prefix = `${serviceName(service)}-${service.provider.stage}-`;
  const rows = Object.entries(service.resources.Outputs ?? {})
    .filter(([, output]) => output.Export !== undefined)
    .map(([name, output]) => {
      const exported = output.Export!.Name;
      const shown = exported.startsWith(prefix) ? `${serviceName(service)}-<stage>-${exported.slice(prefix.length)}` : exported;
      return `| ${code(name)} | ${code(shown)} | ${output.Description ?? ''} |`;
    });
  return ['| output | export name | what it is |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** The alarms of the service: their metric and when they fire. */
export function alarmsOf(
  service: ResolvedService,
): { name: string; metric: string; namespace: string; rule: string; description: string }[] {
  return Object.entries(service.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([name, { Properties: p }]) => {
      const minutes = (Number(p.Period) * Number(p.EvaluationPeriods)) / 60;
      return {
        name,
        metric: String(p.MetricName),
        namespace: String(p.Namespace),
        rule: `${String(p.Statistic)} ${COMPARISONS[String(p.ComparisonOperator)] ?? String(p.ComparisonOperator)} ${String(p.Threshold)} in ${minutes} minute${minutes === 1 ? '' : 's'}`,
        description: typeof p.AlarmDescription === 'string' ? p.AlarmDescription : '',
      };
    });
}

/** deploying.md: the alarms, each on one metric. */
export function renderAlarms(service: ResolvedService): string {
  const rows = alarmsOf(service).map((alarm) => `| ${code(alarm.name)} | ${code(alarm.metric)} | ${alarm.rule} | ${alarm.description} |`);
  return ['| alarm | metric | fires when | why |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

/** Each function that counts its outcomes (`countOutcomes('<metric>')` in functions/), with its success metric. */
export function countingFunctions(dir = path.join(ROOT, 'functions')): Map<string, MetricName> {
  const counting = new Map<string, MetricName>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    const success = /countOutcomes\('(\w+)'\)/.exec(readFileSync(path.join(dir, file), 'utf8'))?.[1];
    if (success !== undefined) counting.set(file.replace(/\.ts$/, ''), success as MetricName);
  }
  return counting;
}

/** deploying.md: every metric the functions write, and when: a success of the functions named, or an answer with an error code. */
export function renderMetrics(counting: ReadonlyMap<string, MetricName>): string {
  const when = new Map<MetricName, string[]>();
  const add = (metric: MetricName, text: string) => when.set(metric, [...(when.get(metric) ?? []), text]);
  const bySuccess = new Map<MetricName, string[]>();
  for (const [fn, metric] of counting) bySuccess.set(metric, [...(bySuccess.get(metric) ?? []), code(fn)]);
  for (const [metric, functions] of bySuccess) add(metric, `${list(functions, 'or')} ${functions.length === 1 ? 'succeeds' : 'succeed'}`);
  const byError = new Map<MetricName, string[]>();
  for (const [errorCode, row] of Object.entries(ERROR_TABLE) as [ErrorCode, (typeof ERROR_TABLE)[ErrorCode]][])
    if (row.metric !== undefined) byError.set(row.metric, [...(byError.get(row.metric) ?? []), `${code(errorCode)} (${row.status})`]);
  for (const [metric, answers] of byError) add(metric, `an answer ${list(answers, 'or')}`);
  const rows = [...when.entries()].map(([metric, texts]) => `| ${code(metric)} | ${texts.join('; ')} |`);
  return [
    `Written by ${list([...counting.keys()].map(code))}: one line per counted answer.`,
    '',
    '| metric | counted when |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Every generated section of the docs that serverless.yml decides: doc, section name, rendering. */
export function serviceSections(service: ResolvedService): { doc: string; section: string; text: string }[] {
  return [
    { doc: 'docs/tokens-and-freshness.md', section: 'authorizers', text: renderAuthorizers(service) },
    { doc: 'docs/deploying.md', section: 'key-access', text: renderKeyAccess(service) },
    { doc: 'docs/deploying.md', section: 'exports', text: renderExports(service) },
    { doc: 'docs/deploying.md', section: 'alarms', text: renderAlarms(service) },
    { doc: 'docs/deploying.md', section: 'tables', text: renderTables(service) },
  ];
}

/** The generated section the code alone decides. */
export function codeSections(): { doc: string; section: string; text: string }[] {
  return [{ doc: 'docs/deploying.md', section: 'metrics', text: renderMetrics(countingFunctions()) }];
}
