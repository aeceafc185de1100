import { describeIndexIntegrity } from './index-integrity-scenarios.js';

describe('principal index integrity: memory store', () => {
  describeIndexIntegrity({ kind: 'memory' }, { bulk: true });
});
