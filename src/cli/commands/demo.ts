import { futureCommand } from './future.js';

export const demoCommand = futureCommand(
  'demo',
  'Show a very large input processed inside a small budget (planned).',
  `Will generate a large input, stream it through headroom with a small memory budget and print
memory use as it goes, to show the budget holding.`,
);
