// SWC settings for every place that compiles our TypeScript: Jest (jest.preset.cjs), the
// require hook (tools/run-ts.cjs) and the build (tools/build/build.mjs). Decorator metadata
// is on because NestJS injects by type.
/** @param {object} [jscExtra] extra `jsc` settings (the build adds baseUrl/paths) */
function swcOptions(jscExtra = {}) {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      ...jscExtra,
    },
    module: { type: 'commonjs' },
  };
}
module.exports = { swcOptions };
