// Resolves `@cadre/<lib>` imports in the compiled output (dist/), as tsconfig paths do in source.
const path = require('node:path');
const tsconfigPaths = require('tsconfig-paths');
tsconfigPaths.register({ baseUrl: path.join(__dirname, '..', 'dist'), paths: { '@cadre/*': ['libs/*/src'] } });
