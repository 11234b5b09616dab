// The chat panel: `POST /chat` with the tenant's headers. Disabled, with the reason,
// while `/health` says no agent is configured (or the server answers 503).

import { tenantJSON, loadCredentials, explain } from './api.js';
import { byId, el } from './dom.js';

const SESSION = 'spacewatch.chat-session';

const NOT_CONFIGURED = 'The AI assistant is not configured on this server. Start SpaceWatch with DO_AGENT_URL (and DO_AGENT_KEY) set to an OpenAI-compatible endpoint to ask questions about your storage here.';
let busy = false;

function disable(reason) {
  const note = byId('chat-disabled');
  note.textContent = reason;
  note.hidden = false;
  for (const id of ['chat-input', 'chat-send']) byId(id).disabled = true;
  byId('chat').dataset.state = 'disabled';
}

function enable() {
  byId('chat-disabled').hidden = true;
  byId('chat-input').disabled = false;
  byId('chat-send').disabled = busy;
  byId('chat').dataset.state = 'ready';
}

function entry(role, text, extra) {
  const item = el('li', { class: `chat-${role}` }, el('p', { class: 'chat-who', text: role === 'you' ? 'You' : 'SpaceWatch' }), el('p', { class: 'chat-text', text }));
  if (extra) item.append(extra);
  byId('chat-log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function steps(answer) {
  if (!answer.steps || !answer.steps.length) return null;
  const list = el('ol', {}, ...answer.steps.map((s) => el('li', {}, el('code', { text: s.tool }), ` ${s.summary || ''}`)));
  return el('details', { class: 'chat-steps' }, el('summary', { text: `${answer.steps.length} tool call${answer.steps.length === 1 ? '' : 's'}` }), list);
}

/** Follows `agent_configured` of every `/health` the health panel reads. */
export function setupChat() {
  disable('Checking whether an AI assistant is configured…');
  document.addEventListener('health', (e) => {
    if (e.detail.agent_configured) enable();
    else disable(NOT_CONFIGURED);
  });
  byId('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = byId('chat-input');
    const message = input.value.trim();
    if (!message) return;
    if (!loadCredentials()) {
      entry('spacewatch', 'Connect your storage first (the “Connect storage” button): the assistant reads your buckets with your credentials.');
      return;
    }
    entry('you', message);
    input.value = '';
    busy = true;
    byId('chat-send').disabled = true;
    try {
      const body = { message };
      const session = sessionStorage.getItem(SESSION);
      if (session) body.session_id = session;
      const answer = await tenantJSON('/chat', { method: 'POST', body });
      if (answer.session_id) sessionStorage.setItem(SESSION, answer.session_id);
      entry('spacewatch', answer.answer || '(no answer)', steps(answer));
    } catch (err) {
      if (err.status === 503) disable(`The AI assistant is not available on this server: ${err.detail}`);
      else entry('spacewatch', `Sorry, that failed: ${explain(err)}`);
    } finally {
      busy = false;
      if (byId('chat').dataset.state !== 'disabled') byId('chat-send').disabled = false;
    }
  });
}
