// `nestjs-distributed-session/health`: needs @nestjs/terminus, which the core never loads.
export { SessionHealthIndicator } from './session-health.indicator.js';
