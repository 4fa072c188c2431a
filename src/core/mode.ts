/** Which of the four ways edgebot runs (SPEC §1); only src/app chooses it, the rest may show it. */
export type Mode = 'backtest' | 'replay' | 'paper' | 'live';
