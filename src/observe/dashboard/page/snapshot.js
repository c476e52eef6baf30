// The "Heap snapshot" button: POST /api/heap-snapshot (with the page's token) and show where the
// file went, or why it was not written. The server writes one at a time and answers 409 meanwhile;
// the button is disabled while its own request runs so that a double click asks once.
import { withToken } from './connection.js';
import * as fmt from './format.js';

export function heapSnapshotButton(button, output) {
  const show = (state, text, title = text) => {
    output.dataset.state = state;
    output.textContent = text;
    output.title = title;
    output.hidden = false;
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    show('writing', 'writing a heap snapshot…', 'the process is paused while the snapshot is written');
    try {
      const response = await fetch(withToken('/api/heap-snapshot'), { method: 'POST', cache: 'no-store' });
      const body = await response.json().catch(() => ({}));
      if (response.ok && typeof body.path === 'string') {
        show('done', body.path, `${fmt.bytes(body.bytes)} written in ${fmt.ms(body.ms)}: ${body.path}`);
      } else {
        show('error', body.error ?? `the server answered ${response.status}`);
      }
    } catch (error) {
      show('error', `no answer from the server: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
}
