// The suite moved to src/testing/ (shipped as `nestjs-distributed-session/testing`).
export * from '../../src/testing/conformance/store-conformance.js';
