// Run by the Node binary of the template's runtime (tests/template/deployed-runtime.test.ts): loads a
// function from its unzipped code by its Handler string, as the Lambda Node.js runtime interface
// client does (aws/aws-lambda-nodejs-runtime-interface-client, src/UserFunction.js), invokes it once
// and writes the outcome as JSON. CommonJS, like the runtime client.
//
//   node lambda-runtime-invoke.js <task root> <handler> <event file> <result file>
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const [taskRoot, fullHandler, eventFile, resultFile] = process.argv.slice(2);

/** 'functions/login.handler' → ['functions/', 'login', 'handler'], or a nested 'module.a.b'. */
function splitHandler(handlerString) {
  if (handlerString.includes('..')) throw new Error(`'${handlerString}' is not a valid handler name`);
  const moduleAndHandler = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(moduleAndHandler));
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match) throw new Error('Bad handler');
  return [moduleRoot, match[1], match[2]];
}

function packageTypeIsModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const manifest = path.join(folder, 'package.json');
  if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
  if (folder === path.dirname(folder)) return false;
  return packageTypeIsModule(path.dirname(folder));
}

/** The runtime's order: extensionless and CommonJS .js by require, ES module .js, .mjs, then .cjs. */
async function loadModule(file) {
  if (fs.existsSync(file)) return require(file);
  const typeModule = fs.existsSync(`${file}.js`) && packageTypeIsModule(path.dirname(`${file}.js`));
  if (!typeModule && fs.existsSync(`${file}.js`)) return require(`${file}.js`);
  if (typeModule) return import(`${file}.js`);
  if (fs.existsSync(`${file}.mjs`)) return import(`${file}.mjs`);
  if (fs.existsSync(`${file}.cjs`)) return require(`${file}.cjs`);
  throw Object.assign(new Error(`Cannot find module '${file}'`), { name: 'Runtime.ImportModuleError' });
}

function context() {
  const deadline = Date.now() + Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? 10) * 1000;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: 'runtime-test-request',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'runtime-test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Writes the outcome and ends the process: the SDK's keep-alive sockets would hold it open (Lambda freezes it instead). */
function finish(outcome) {
  fs.writeFileSync(resultFile, JSON.stringify({ ...outcome, node: process.version }));
  process.exit(0);
}

async function main() {
  const [moduleRoot, moduleName, handlerPath] = splitHandler(fullHandler);
  const app = await loadModule(path.resolve(taskRoot, moduleRoot, moduleName));
  const handler = handlerPath.split('.').reduce((nested, key) => nested && nested[key], app);
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${fullHandler} is not a function`), { name: 'Runtime.HandlerNotFound' });
  const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
  // An async handler answers with its promise; a callback handler through the third argument.
  const result = await new Promise((resolve, reject) => {
    const returned = handler(event, context(), (err, value) => (err ? reject(err) : resolve(value)));
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
  finish({ ok: true, result: result === undefined ? null : result });
}

main().catch((err) => {
  const error = err instanceof Error ? err : new Error(String(err));
  finish({ ok: false, errorType: error.name, errorMessage: error.message });
});
