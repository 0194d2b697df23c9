#!/usr/bin/env node
'use strict';
// Written for any Node, so that an old one hears what it lacks instead of failing on syntax.
var REQUIRED_NODE_MAJOR = 22; // package.json "engines"; test/unit/cli/bin.test.ts ties the two
var EXIT_USAGE = 2;

var running = process.versions.node;
if (Number(running.split('.')[0]) < REQUIRED_NODE_MAJOR) {
  process.stderr.write(
    'hgbr: needs Node.js ' +
      REQUIRED_NODE_MAJOR +
      ' or newer; this is Node.js ' +
      running +
      ' (' +
      process.execPath +
      ')\n' +
      '  hint: install Node.js ' +
      REQUIRED_NODE_MAJOR +
      ' LTS or newer (https://nodejs.org), or put it first on the PATH\n',
  );
  process.exit(EXIT_USAGE);
}

var path = require('node:path');
var fs = require('node:fs');
var argv = process.argv.slice(2);
// A checkout runs its TypeScript sources through tsx, so a build left in dist/ can never answer
// for newer sources; an installed package (no sources in it) runs its build.
var sources = path.join(__dirname, '..', 'cli', 'main.ts');
var compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(sources) && resolvable('tsx/cjs')) {
  require('tsx/cjs');
  require(sources).main(argv);
} else if (fs.existsSync(compiled)) {
  require(compiled).main(argv);
} else {
  process.stderr.write(`hgbr: neither ${compiled} nor tsx to run the sources: run npm ci in the checkout, or npm run build\n`);
  process.exit(1);
}

function resolvable(id) {
  try {
    require.resolve(id);
    return true;
  } catch (_) {
    return false;
  }
}
