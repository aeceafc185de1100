// `nestjs-distributed-session/helmet`: needs helmet (an optional peer), which the core never loads.
export { SESSION_HELMET_DEFAULTS, sessionHelmet } from '../security/session-helmet.js';
