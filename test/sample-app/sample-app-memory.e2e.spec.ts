import { describeSampleAppContract } from './sample-app-contract.js';

describeSampleAppContract('memory store', () => ({}), 1);
