// node:http as CommonJS gives it: bundles alias `http` and `node:http` to this file
// (infra/bundling.ts). An ES module `import` of node:http reads every export of the
// module, and its lazy WebSocket/EventSource getters load Node's bundled undici (tens of
// milliseconds of a cold start for nothing); the AWS SDK's HTTP handler imports node:http.
module.exports = process.getBuiltinModule('node:http');
