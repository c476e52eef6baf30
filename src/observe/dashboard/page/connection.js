// The WebSocket to /ws, reconnecting with capped exponential backoff. It passes the page's
// ?token= on (the server wants it on /ws and /api), and when a connection fails it asks the API
// why, so that a wrong token reads as "token rejected" rather than an endless "reconnecting".

/** Query string with the page's token, or '' when the page has none. */
export function tokenQuery() {
  const token = new URLSearchParams(location.search).get('token');
  return token ? `token=${encodeURIComponent(token)}` : '';
}

/** `path` on this server with the token added. */
export function withToken(path) {
  const query = tokenQuery();
  if (!query) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

/**
 * Opens /ws and keeps it open. `onMessage(message)` gets each parsed DashboardMessage;
 * `onState({state, retryInMs, error})` gets 'connecting' | 'live' | 'reconnecting'.
 * Options: minDelayMs (500), maxDelayMs (15000).
 */
export function connect({ onMessage, onState, minDelayMs = 500, maxDelayMs = 15_000 }) {
  let socket;
  let attempt = 0;
  let timer;
  let stopped = false;

  const open = () => {
    onState({ state: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${location.host}${withToken('/ws')}`);
    socket.onopen = () => {
      attempt = 0;
      onState({ state: 'live' });
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // A frame that is not JSON is not ours; the next sample will come.
      }
      onMessage(message);
    };
    socket.onclose = () => {
      if (stopped) return;
      // Full jitter keeps many tabs from reconnecting in lockstep after a server restart.
      const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
      const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      attempt++;
      onState({ state: 'reconnecting', retryInMs: delay });
      diagnose().then((error) => {
        if (error && !stopped) onState({ state: 'reconnecting', retryInMs: delay, error });
      });
      timer = setTimeout(open, delay);
    };
  };

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}

/** Why the server refuses us, when it answers at all: its JSON error for 401/403/503. */
async function diagnose() {
  try {
    const response = await fetch(withToken('/api/alerts'), { cache: 'no-store' });
    if (response.ok) return undefined;
    const body = await response.json().catch(() => ({}));
    return body.error ?? `the server answered ${response.status}`;
  } catch {
    return undefined; // Not reachable: the plain "reconnecting" says it.
  }
}
