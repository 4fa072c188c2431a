import * as cmd from '../../commands/index.js';
import { applySettingsArgs, mute, settingsOf } from '../../store/settings.js';
import { renderSettings, settingsOutcomeText } from '../render-settings.js';
import type { ChatFeature } from './feature.js';

/**
 * `/settings [topic level | quiet HH:MM HH:MM [Zone] | quiet off | unmute SYMBOL]` and the cards'
 * `🔕 Mute 4h` (Telegram adds its inline menu: telegram/features/settings.ts).
 */
export const settings: ChatFeature = {
  commands: [{
    command: 'settings', description: 'Notifications: loud, silent or off per kind; quiet hours; mutes',
    run: ({ rt }, args) => {
      if (!args.trim()) return cmd.settings(rt);
      const outcome = applySettingsArgs(settingsOf(rt.store.data), args, rt.clock.now());
      if (outcome.ok) rt.store.save();
      return cmd.settings(rt, outcome);
    },
  }],
  taps: {
    mute({ rt }, cardId) {
      const card = rt.engine.cards.get(cardId);
      if (!card) return { ok: false, text: 'This card is no longer known.' };
      const r = mute(settingsOf(rt.store.data), card.symbol, rt.clock.now());
      rt.store.save();
      return { ok: true, text: settingsOutcomeText(r) };
    },
  },
  views: { settings: (v) => renderSettings(v) },
};
