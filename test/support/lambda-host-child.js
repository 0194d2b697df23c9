'use strict';
/**
 * One Lambda function, as the Node.js runtime runs it: the handler is loaded from the function's
 * code folder (its working directory, like /var/task) with the function's environment, then each
 * invocation arrives over IPC with its deadline and is answered with the JSON result or with the
 * error as Lambda reports it (errorType = the error's name, which Step Functions matches on).
 * Only Node built-ins are used here, so the bundle must bring everything else itself.
 *
 *   node lambda-host-child.js <codeDir> <file.export>
 */
const path = require('node:path');

const [codeDir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const file = handlerSpec.slice(0, dot);
const exportName = handlerSpec.slice(dot + 1);

function reported(error, fallbackType) {
  return {
    errorType: error?.name || fallbackType,
    errorMessage: error?.message || String(error),
    stack: error?.stack ? String(error.stack).split('\n') : [],
  };
}

let handler;
try {
  handler = require(path.join(codeDir, `${file}.js`))[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${handlerSpec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
} catch (error) {
  const type = error?.code === 'MODULE_NOT_FOUND' ? 'Runtime.ImportModuleError' : error?.name === 'Runtime.HandlerNotFound' ? error.name : 'Runtime.UserCodeSyntaxError';
  handler = undefined;
  process.send({ type: 'init-error', error: { ...reported(error, type), errorType: type } }, () => process.exit(1));
}

if (handler) {
  process.send({ type: 'ready' });
  process.on('message', async (message) => {
    if (message.type !== 'invoke') return;
    const context = {
      awsRequestId: message.id,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      invokedFunctionArn: process.env.HGBR_TEST_FUNCTION_ARN,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    };
    try {
      const result = await handler(message.event, context);
      // Lambda answers with the JSON serialization of the result.
      process.send({ type: 'result', id: message.id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
    } catch (error) {
      process.send({ type: 'error', id: message.id, error: reported(error, 'Error') });
    }
  });
}
