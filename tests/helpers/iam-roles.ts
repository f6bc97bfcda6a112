import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AwsCall } from './aws-call-recorder';

/**
 * The IAM side of a packaged CloudFormation template: each function's role, its intrinsic
 * functions resolved for one fixed account and region, and a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate, which checks actions and resource types against AWS's own data)
 * deciding whether a call the function made is allowed.
 */

const ACCOUNT = '123456789012';

type Json = unknown;
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
export interface Template {
  readonly Resources: Record<string, Resource>;
}
interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, unknown>;
}
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: Statement[];
}

/** One action on one resource, as IAM authorizes it. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
}

/** Resolves Ref, Fn::Sub, Fn::GetAtt and Fn::Join against the template, for `region` and ACCOUNT. */
function resolver(template: Template, region: string) {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arnOf = (logicalId: string): string => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`Fn::GetAtt of ${logicalId}: no such resource`);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${String(resolve(props.TableName))}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${String(resolve(props.RoleName))}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${String(resolve(props.LogGroupName))}:*`;
      default:
        throw new Error(`Fn::GetAtt ${logicalId}.Arn: no ARN rule for ${resource.Type}`);
    }
  };
  const ref = (name: string): string => {
    const value = pseudo[name];
    if (value !== undefined) return value;
    const resource = template.Resources[name];
    if (resource?.Type === 'AWS::DynamoDB::Table') return String(resolve(resource.Properties?.TableName));
    throw new Error(`Ref ${name}: cannot resolve`);
  };
  const getAtt = (value: Json): string => {
    const [logicalId, attribute] = (typeof value === 'string' ? value.split('.') : value) as [string, string];
    if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: only Arn is resolved`);
    return arnOf(logicalId);
  };
  function resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') return ref(String(argument));
    if (entries.length === 1 && key === 'Fn::GetAtt') return getAtt(argument);
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, parts] = argument as [string, Json[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    if (entries.length === 1 && key === 'Fn::Sub') {
      if (typeof argument !== 'string') throw new Error('Fn::Sub with a variable map: not used by this template');
      return argument.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name.endsWith('.Arn') ? arnOf(name.slice(0, -4)) : ref(name)));
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  }
  return resolve;
}

/** A function's role: its name (for the principal's ARN) and its identity policies, resolved. */
export interface FunctionRole {
  readonly roleName: string;
  readonly policies: PolicyDocument[];
}

/** Each function's role, by the function's key in serverless.yml (`login`, `fresh-only`). */
export function functionRoles(template: Template, region: string, service: string, stage: string): Map<string, FunctionRole> {
  const resolve = resolver(template, region);
  const byFunction = new Map<string, FunctionRole>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = String(resolve(resource.Properties?.FunctionName)).replace(`${service}-${stage}-`, '');
    const roleRef = (resource.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    const role = template.Resources[roleRef[0]];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${name}: its role ${roleRef[0]} is not in the template`);
    const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: Json }[];
    const managed = (role.Properties?.ManagedPolicyArns ?? []) as unknown[];
    if (managed.length > 0) throw new Error(`${name}: managed policies are not evaluated here`);
    byFunction.set(name, {
      roleName: String(resolve(role.Properties?.RoleName)),
      policies: policies.map((policy) => resolve(policy.PolicyDocument) as PolicyDocument),
    });
  }
  return byFunction;
}

const DYNAMO_TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/**
 * What IAM authorizes for one recorded call: one request per resource it touches. A transaction
 * is authorized item by item (DynamoDB has no TransactWriteItems action); a SecureString read with
 * a customer-managed key also needs kms:Decrypt on that key, for the caller (SSM decrypts with the
 * caller's permissions).
 */
export function iamRequestsOf(call: AwsCall, region: string, kmsKeyArn?: string): IamRequest[] {
  const table = (name: unknown, index?: unknown) =>
    `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name as string}${index === undefined ? '' : `/index/${index as string}`}`;
  const input = call.input;
  if (call.service === 'dynamodb') {
    if (call.operation === 'TransactWriteItems' || call.operation === 'TransactGetItems') {
      return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
        Object.entries(item).map(([kind, body]) => ({
          action: `dynamodb:${DYNAMO_TRANSACT_ACTIONS[kind] ?? kind}`,
          resource: table(body.TableName),
        })),
      );
    }
    if (call.operation === 'BatchGetItem' || call.operation === 'BatchWriteItem') {
      return Object.keys(input.RequestItems as object).map((name) => ({ action: `dynamodb:${call.operation}`, resource: table(name) }));
    }
    return [{ action: `dynamodb:${call.operation}`, resource: table(input.TableName, input.IndexName) }];
  }
  if (call.service === 'ssm') {
    const names = call.operation === 'GetParameters' ? (input.Names as string[]) : [String(input.Name)];
    const parameter = (name: string) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
    const reads = names.map((name) => ({ action: `ssm:${call.operation}`, resource: parameter(name) }));
    const decrypts = kmsKeyArn !== undefined && input.WithDecryption === true ? [{ action: 'kms:Decrypt', resource: kmsKeyArn }] : [];
    return [...reads, ...decrypts];
  }
  throw new Error(`a call to ${call.service}.${call.operation}: no IAM rule for this service here`);
}

/**
 * A KMS key's default key policy (what AWS gives a key created without one): the account's IAM
 * policies decide. A key's own policy is needed as well as the role's: KMS allows nothing the key
 * policy does not.
 */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** IAM's decision for `request` under `policies`: Allowed, ImplicitlyDenied, ExplicitlyDenied, or the evaluator's error. */
export async function decide(policies: readonly PolicyDocument[], request: IamRequest, roleName: string): Promise<string> {
  const response = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
      request: {
        action: request.action,
        principal: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        resource: { accountId: ACCOUNT, resource: request.resource },
        contextVariables: {},
      },
    },
    {},
  );
  if (response.resultType === 'error') return `error: ${JSON.stringify(response.errors)}`;
  return response.overallResult;
}

/** Every action and resource a set of policies allows, one pair per line of each Allow statement. */
export function grantsOf(policies: readonly PolicyDocument[]): IamRequest[] {
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  return policies.flatMap((policy) =>
    policy.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) =>
      list(statement.Action).flatMap((action) => list(statement.Resource).map((resource) => ({ action, resource }))),
    ),
  );
}
