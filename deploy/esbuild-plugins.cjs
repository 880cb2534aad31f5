// esbuild plugins for byok's bundles: the Lambda functions (serverless.yml's custom.esbuild.plugins)
// and the compiled CLI (scripts/build.mjs). CommonJS because serverless-esbuild require()s it.
//
// zodEnglishOnly: zod exposes every message locale through its `z` namespace object
// (`z.locales.*`), which esbuild cannot tree-shake; byok uses only the English default, which
// zod installs itself. The locales index is replaced by one exporting `en` alone, which removes
// about 350 KiB (a third of each function's bundle) that nothing calls.
const path = require('node:path');

const zodEnglishOnly = {
  name: 'byok-zod-english-only',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$|^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(args.resolveDir, args.path), namespace: 'byok-zod-locales' };
    });
    build.onLoad({ filter: /.*/, namespace: 'byok-zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

module.exports = [zodEnglishOnly];
