// Resolves `@cadre/<lib>` imports in the compiled output (dist/), as tsconfig paths do in source:
// `@cadre/<lib>` → dist/libs/<lib>/src. Dependency-free, so the production image needs no devDependency.
const Module = require('node:module');
const path = require('node:path');

const LIBS = path.join(__dirname, '..', 'dist', 'libs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@cadre\/([a-z-]+)$/.exec(request);
  return resolve.call(this, match ? path.join(LIBS, match[1], 'src') : request, ...rest);
};
