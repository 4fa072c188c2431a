import { esc } from '../format.js';
import type { ChatFeature } from './feature.js';

/** `/start` and `/help`. */
export const basics: ChatFeature = {
  commands: [
    {
      command: 'start',
      description: 'Welcome and what this bot does',
      run: ({ rt }) => ({
        kind: 'text',
        text: `👋 edgebot (${rt.mode}) watches ${rt.coinSymbols.length} coins and posts signal cards here. ` +
          'Tap 📝 Paper to paper-trade a card, 💰 Live… to place a confirmed order (validated signals only), ✖ Skip to dismiss it. ' +
          '/signals shows each signal\'s evidence; /help lists the commands.',
      }),
    },
    { command: 'help', description: 'List commands', run: ({ commands }) => ({ kind: 'help', commands: commands.map((c) => ({ ...c })) }) },
  ],
  views: {
    help: (v) => ({ html: '<b>Commands</b>\n' + v.commands.map((c) => `/${c.command} — ${esc(c.description)}`).join('\n'), buttons: [] }),
    text: (v) => ({ html: esc(v.text), buttons: [] }),
  },
};
