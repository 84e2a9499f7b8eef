import { ApiError, token } from './api.js';
import { h } from './dom.js';

/**
 * Writes need `Authorization: Bearer TOKEN` when the collector runs with --token. The first 401 asks for the
 * token once, keeps it in this browser and retries; a wrong token asks again.
 */
function askToken(reason: string): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', name: 'token', 'aria-label': 'token', autocomplete: 'off' });
    const dialog = h(
      'dialog',
      { class: 'token-dialog' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', {}, 'This collector needs a token to save'),
        h('p', { class: 'muted' }, reason),
        h('label', {}, 'Token ', input),
        h(
          'div',
          { class: 'actions' },
          h('button', { value: 'cancel', type: 'submit', formnovalidate: true }, 'Cancel'),
          h('button', { value: 'ok', type: 'submit', class: 'primary' }, 'Save token'),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}

export async function withToken<T>(write: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      const t = await askToken(err.message);
      if (t === null) throw err;
      token.set(t);
    }
  }
}
