/// The page's script, part 1: talking to the server, sign-in, conversations and the streamed
/// answer. Model and user text reaches the DOM only as textContent or through
/// `renderMarkdown`, which escapes everything before adding its own tags.
enum WebScript {
    static let source = #"""
'use strict';
const state = { csrf: null, user: null, conversations: [], current: null, messages: [], controller: null, editPosition: null, modes: [], image: null };
const $ = (selector) => document.querySelector(selector);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(message) {
  const box = $('#error');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

async function errorFrom(response) {
  let message = '';
  try { const body = await response.json(); message = (body.error && body.error.message) || ''; } catch (e) { /* not JSON */ }
  if (response.status === 503) return new Error('The server is busy right now. Try again in a moment. ' + message);
  if (response.status === 401) { showSignIn(); return new Error(message || 'Please sign in.'); }
  if (response.status === 403) return new Error('Refused: ' + message);
  if (response.status >= 500) return new Error('The server had a problem: ' + message);
  return new Error(message || 'Request failed (' + response.status + ')');
}

async function api(method, path, body, signal) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new Error('The server cannot be reached. Check that it is running, then try again.');
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function apiJSON(method, path, body) { return (await api(method, path, body)).json(); }

function showSignIn() {
  state.csrf = null; state.user = null;
  $('#app').hidden = true;
  $('#signin').hidden = false;
}

async function start() {
  let info;
  try { info = await apiJSON('GET', '/web/session'); } catch (error) { showError(error.message); return; }
  state.modes = info.modes;
  const select = $('#mode');
  select.textContent = '';
  for (const mode of info.modes) select.append(new Option(mode[0].toUpperCase() + mode.slice(1), mode));
  if (info.openID) { $('#oidc').hidden = false; $('#oidc-name').textContent = info.openID; }
  if (info.signedIn) enterApp(info); else showSignIn();
}

function enterApp(info) {
  state.csrf = info.csrf; state.user = info.user;
  $('#who').textContent = 'Signed in as ' + info.user.displayName;
  $('#signin').hidden = true;
  $('#app').hidden = false;
  showPage('chat');
  newChat();
  loadConversations();
}

async function localAuth(path) {
  const username = $('#username').value, password = $('#password').value;
  try { enterApp(await apiJSON('POST', path, { username, password })); } catch (error) { showError(error.message); }
}

function showPage(name) {
  for (const page of ['chat', 'memory', 'privacy', 'chat-links']) $('#' + page).hidden = page !== name;
  $('#sidebar').classList.remove('open');
  if (name === 'memory') loadMemory();
  if (name === 'privacy') loadPrivacy();
  if (name === 'chat-links') loadChatLinks();
}

async function loadConversations() {
  try { state.conversations = await apiJSON('GET', '/web/conversations'); } catch (error) { showError(error.message); return; }
  const list = $('#conversations');
  list.textContent = '';
  for (const conversation of state.conversations) {
    const button = el('button', conversation.id === (state.current && state.current.id) ? 'current' : '', conversation.title);
    button.title = conversation.title;
    button.addEventListener('click', () => openConversation(conversation.id));
    list.append(button);
  }
}

function newChat() {
  state.current = null; state.messages = []; cancelEdit();
  $('#title').textContent = 'New chat';
  renderMessages();
  showPage('chat');
  $('#input').focus();
}

async function openConversation(id, keepMode) {
  try {
    const detail = await apiJSON('GET', '/web/conversations/' + encodeURIComponent(id));
    state.current = detail.conversation; state.messages = detail.messages;
  } catch (error) { showError(error.message); return; }
  $('#title').textContent = state.current.title;
  if (!keepMode) $('#mode').value = state.current.mode;
  cancelEdit();
  renderMessages();
  showPage('chat');
  loadConversations();
}

function renderMessages() {
  const list = $('#messages');
  list.textContent = '';
  const lastAssistant = state.messages.map((m) => m.role).lastIndexOf('assistant');
  state.messages.forEach((message, index) => list.append(messageView(message, index === lastAssistant)));
  list.scrollTop = list.scrollHeight;
}

function messageView(message, isLastAnswer) {
  const view = el('div', 'message ' + message.role);
  view.append(el('div', 'who', message.role === 'user' ? 'You' : 'Muse' + (message.mode ? ' · ' + message.mode : '')));
  const thinking = el('details', 'thinking');
  thinking.append(el('summary', '', 'Thinking'), el('pre', ''));
  thinking.hidden = !message.reasoning;
  thinking.querySelector('pre').textContent = message.reasoning || '';
  const bubble = el('div', 'bubble');
  if (message.role === 'assistant') bubble.innerHTML = renderMarkdown(message.content); else bubble.textContent = message.content;
  view.append(thinking);
  if (message.image) {
    const picture = el('img', 'bubble-image');
    picture.src = message.image; picture.alt = 'Attached picture';
    view.append(picture);
  }
  view.append(bubble);
  if (message.products && message.products.length) view.append(productCardsView(message.products));
  const actions = el('div', 'actions');
  const copy = el('button', 'link', 'Copy');
  copy.addEventListener('click', () => copyText(message.content, copy));
  actions.append(copy);
  if (message.role === 'user' && message.position !== undefined) {
    const edit = el('button', 'link', 'Edit');
    edit.addEventListener('click', () => startEdit(message));
    actions.append(edit);
  }
  if (isLastAnswer) {
    const again = el('button', 'link', 'Regenerate');
    again.addEventListener('click', () => send({ regenerate: true }));
    actions.append(again);
  }
  view.append(actions);
  return view;
}

async function copyText(text, button) {
  try { await navigator.clipboard.writeText(text); button.textContent = 'Copied'; }
  catch (error) { button.textContent = 'Copy failed'; }
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
}

function startEdit(message) {
  state.editPosition = message.position;
  $('#input').value = message.content;
  $('#editing').hidden = false;
  $('#input').focus();
}

function cancelEdit() { state.editPosition = null; $('#editing').hidden = true; }

function setStreaming(on) {
  $('#send').hidden = on; $('#stop').hidden = !on; $('#input').disabled = on;
}

/// Sends the composer's text (or regenerates) and streams the answer into a new bubble.
async function send(options) {
  if (state.controller) return;
  const mode = $('#mode').value;
  const content = $('#input').value;
  const regenerate = !!(options && options.regenerate);
  if (!regenerate && !content.trim()) return;
  try {
    if (!state.current) {
      state.current = await apiJSON('POST', '/web/conversations', { mode, title: content });
      $('#title').textContent = state.current.title;
    }
  } catch (error) { showError(error.message); return; }
  const image = regenerate ? null : state.image;
  const body = { mode, content: regenerate ? null : content, regenerate, editPosition: regenerate ? null : state.editPosition, image };
  if (regenerate) {
    const last = state.messages.map((m) => m.role).lastIndexOf('assistant');
    if (last >= 0) state.messages = state.messages.slice(0, last);
  } else {
    if (state.editPosition !== null) state.messages = state.messages.filter((m) => m.position < state.editPosition);
    state.messages.push({ role: 'user', content, image });
    $('#input').value = '';
    setAttachment(null);
  }
  cancelEdit();
  renderMessages();
  const answer = { role: 'assistant', content: '', reasoning: '', mode };
  const view = messageView(answer, false);
  const bubble = view.querySelector('.bubble');
  bubble.classList.add('typing');
  $('#messages').append(view);
  state.controller = new AbortController();
  document.body.dataset.busy = '1';
  setStreaming(true);
  try {
    const response = await api('POST', '/web/conversations/' + encodeURIComponent(state.current.id) + '/messages', body, state.controller.signal);
    await readEvents(response, (delta) => {
      if (delta.content) answer.content += delta.content;
      if (delta.reasoning_content) answer.reasoning += delta.reasoning_content;
      if (delta.contemplation) answer.agreement = delta.contemplation.agreeing + ' of ' + delta.contemplation.samples + ' samples agreed';
      if (delta.shopping_products) view.insertBefore(productCardsView(delta.shopping_products), view.querySelector('.actions'));
      bubble.innerHTML = renderMarkdown(answer.content);
      const thinking = view.querySelector('.thinking');
      thinking.hidden = !answer.reasoning;
      thinking.querySelector('pre').textContent = answer.reasoning + (answer.agreement ? '\n\n' + answer.agreement : '');
      $('#messages').scrollTop = $('#messages').scrollHeight;
    });
  } catch (error) {
    if (error.name !== 'AbortError') showError(error.message);
  } finally {
    bubble.classList.remove('typing');
    state.controller = null;
    setStreaming(false);
    $('#input').focus();
    // The server stores the answer (or the part received before Stop) as the stream ends.
    const id = state.current && state.current.id;
    setTimeout(async () => {
      if (id) await openConversation(id, true);
      delete document.body.dataset.busy;
    }, 300);
  }
}

/// Reads a text/event-stream body, calling `onDelta` with each chunk's delta.
async function readEvents(response, onDelta) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      if (data === '[DONE]') continue;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message || 'The answer failed.');
      const choice = chunk.choices && chunk.choices[0];
      if (choice && choice.delta) onDelta(choice.delta);
    }
  }
}
"""#
}
