// Each function's IAM role (one per function, by serverless-iam-roles-per-function) gets:
// - ssm:GetParameters (the one batch read of src/platform/parameters.ts; ssm:GetParameter is another
//   action, which IAM would deny it) on exactly the key parameters it reads, decided by its `keyAccess`
//   (one of verify | sign | publish, or a list: [sign, verify] for an issuer that also verifies)
//   and the signing algorithm: with HS256 the JWKS function reads nothing, with EdDSA/ES256 only
//   the public keys; only issuers read a private key;
// - kms:Decrypt on KEYS_KMS_KEY_ARN, when the SecureString parameters use a customer-managed key,
//   for exactly the functions that read key parameters;
// - a role name within IAM's 64 characters, or packaging stops saying which name is too long.
// It must run before serverless-iam-roles-per-function, which builds the roles.
'use strict';

const KEY_ACCESS = ['verify', 'sign', 'publish'];
const MAX_ROLE_NAME = 64;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

class FunctionRoles {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineFunctionProperties('aws', {
      properties: {
        keyAccess: { anyOf: [{ enum: KEY_ACCESS }, { type: 'array', items: { enum: KEY_ACCESS }, minItems: 1, uniqueItems: true }] },
      },
    });
    this.hooks = { 'before:package:initialize': () => this.apply() };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`custom.functionRoles: ${message}`);
  }

  apply() {
    const settings = this.serverless.service.custom?.functionRoles;
    if (!settings) return;
    const aws = this.serverless.getProvider('aws');
    const [stage, region] = [aws.getStage(), aws.getRegion()];
    const byAlgorithm = settings.keyParameters?.[settings.jwtAlg];
    if (!byAlgorithm) this.fail(`JWT_ALG must be one of ${Object.keys(settings.keyParameters ?? {}).join(', ')}, got "${settings.jwtAlg}"`);
    const kmsKeyArn = settings.kmsKeyArn || undefined;
    if (kmsKeyArn && !KMS_KEY_ARN.test(kmsKeyArn))
      this.fail(`KEYS_KMS_KEY_ARN must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${kmsKeyArn}"`);

    for (const [name, fn] of Object.entries(this.serverless.service.functions)) {
      const statements = [...(fn.iamRoleStatements ?? [])];
      const parameters = FunctionRoles.keyParametersOf(byAlgorithm, fn.keyAccess);
      if (parameters.length > 0) {
        statements.unshift({
          Effect: 'Allow',
          Action: ['ssm:GetParameters'],
          Resource: parameters.map((parameter) => ({
            'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${settings.parameterPath}/${parameter}`,
          })),
        });
        if (kmsKeyArn) statements.splice(1, 0, { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: kmsKeyArn });
      }
      // Every function gets a role of its own, so none inherits another's permissions.
      fn.iamRoleStatements = statements;
      fn.iamRoleStatementsName ??= this.roleName(FunctionRoles.functionRoleName(settings.namePrefix, stage, name, region));
    }
    // The provider-wide role serves as the template of the others; name it within the limit too.
    const { provider } = this.serverless.service;
    provider.iam = {
      ...provider.iam,
      role: {
        ...provider.iam?.role,
        name: provider.iam?.role?.name ?? this.roleName(FunctionRoles.providerRoleName(settings.namePrefix, stage, region)),
      },
    };
  }

  // The names and limits, for `npm run deploy:check` to check a stage before anything is packaged.
  static MAX_ROLE_NAME = MAX_ROLE_NAME;
  static KMS_KEY_ARN = KMS_KEY_ARN;

  /** The key parameters (short names) a function of `keyAccess` (one kind or a list) may read, given the algorithm's table. */
  static keyParametersOf(byAlgorithm, keyAccess) {
    const access = keyAccess === undefined ? [] : [keyAccess].flat();
    return [...new Set(access.flatMap((kind) => byAlgorithm[kind] ?? []))];
  }

  /** The role name of function `name`. */
  static functionRoleName(namePrefix, stage, name, region) {
    return `${namePrefix}-${stage}-${name}-${region}`;
  }

  /** The name of the provider-wide role. */
  static providerRoleName(namePrefix, stage, region) {
    return `${namePrefix}-${stage}-${region}`;
  }

  roleName(name) {
    if (name.length > MAX_ROLE_NAME) {
      this.fail(
        `the IAM role name "${name}" is ${name.length} characters; IAM allows ${MAX_ROLE_NAME}. ` +
          'Use a shorter stage name (up to 20 characters fit every region) or function name.',
      );
    }
    return name;
  }
}

module.exports = FunctionRoles;
