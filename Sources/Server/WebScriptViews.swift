/// The page's script, part 2: safe Markdown, the memory and privacy pages, and the wiring of
/// buttons and keys.
enum WebScriptViews {
    static let source = #"""

/// Markdown to HTML, safely: the text is HTML-escaped first, so only the tags added here exist.
function escapeHTML(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function renderInline(escaped) {
  return escaped
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    // Links only to http(s); the URL was escaped with the rest, so it cannot close the attribute.
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" rel="noopener noreferrer" target="_blank">$1</a>');
}

function renderMarkdown(text) {
  const parts = String(text || '').split('```');
  let html = '';
  parts.forEach((part, index) => {
    if (index % 2 === 1) {
      const body = part.replace(/^[^\n]*\n/, '');
      html += '<pre><code>' + escapeHTML(body) + '</code></pre>';
      return;
    }
    let list = null;
    for (const line of escapeHTML(part).split('\n')) {
      const bullet = line.match(/^\s*(?:[-*]|\d+\.)\s+(.*)$/);
      if (bullet) {
        if (!list) { html += '<ul>'; list = true; }
        html += '<li>' + renderInline(bullet[1]) + '</li>';
        continue;
      }
      if (list) { html += '</ul>'; list = null; }
      const heading = line.match(/^(#{1,4})\s+(.*)$/);
      if (heading) html += '<p><strong>' + renderInline(heading[2]) + '</strong></p>';
      else if (line.trim()) html += '<p>' + renderInline(line) + '</p>';
    }
    if (list) html += '</ul>';
  });
  return html;
}

async function loadMemory() {
  let facts, privacy;
  try { [facts, privacy] = await Promise.all([apiJSON('GET', '/web/memory'), apiJSON('GET', '/web/privacy')]); }
  catch (error) { showError(error.message); return; }
  $('#memory-note').textContent = privacy.settings.personalisation
    ? 'Personalisation is on: these facts are given to Muse with your messages.'
    : 'Personalisation is off: Muse does not see these facts. Turn it on in Privacy.';
  const list = $('#facts');
  list.textContent = '';
  for (const fact of facts) {
    const item = el('li', 'row');
    const input = el('input');
    input.value = fact.text;
    input.setAttribute('aria-label', 'Memory fact');
    const save = el('button', '', 'Save');
    save.addEventListener('click', () => changeFact('PUT', fact.id, input.value));
    const remove = el('button', '', 'Delete');
    remove.addEventListener('click', () => changeFact('DELETE', fact.id));
    item.append(input, save, remove);
    list.append(item);
  }
}

async function changeFact(method, id, text) {
  try { await api(method, '/web/memory/' + encodeURIComponent(id), text === undefined ? undefined : { text }); }
  catch (error) { showError(error.message); }
  loadMemory();
}

async function loadPrivacy() {
  let privacy;
  try { privacy = await apiJSON('GET', '/web/privacy'); } catch (error) { showError(error.message); return; }
  $('#personalisation').checked = privacy.settings.personalisation;
  $('#health-consent').checked = privacy.settings.healthConsent;
  const list = $('#uses');
  list.textContent = '';
  if (!privacy.uses.length) list.append(el('li', 'muted', 'Nothing yet.'));
  for (const use of privacy.uses) {
    list.append(el('li', '', new Date(use.createdMs).toLocaleString() + ': ' + use.facts.join('; ')));
  }
}

async function saveSettings() {
  const settings = { personalisation: $('#personalisation').checked, healthConsent: $('#health-consent').checked };
  try { await api('PUT', '/web/settings', settings); } catch (error) { showError(error.message); loadPrivacy(); }
}

async function exportData() {
  try {
    const text = await (await api('GET', '/web/export')).text();
    const link = $('#export-link');
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    link.hidden = false;
    const preview = $('#export-preview');
    preview.textContent = JSON.stringify(JSON.parse(text), null, 2);
    preview.hidden = false;
  } catch (error) { showError(error.message); }
}

async function deleteAccount() {
  if ($('#delete-confirm').value !== 'DELETE') { showError('Type DELETE in the box to confirm.'); return; }
  try { await api('DELETE', '/web/account'); } catch (error) { showError(error.message); return; }
  showSignIn();
  showError('Your account and all its data were deleted.');
}

document.addEventListener('DOMContentLoaded', () => {
  $('#error').addEventListener('click', () => { $('#error').hidden = true; });
  $('#local-form').addEventListener('submit', (event) => { event.preventDefault(); localAuth('/web/signin'); });
  $('#signup-button').addEventListener('click', () => localAuth('/web/signup'));
  $('#new-chat').addEventListener('click', newChat);
  $('#menu').addEventListener('click', () => $('#sidebar').classList.toggle('open'));
  $('#open-memory').addEventListener('click', () => showPage('memory'));
  $('#open-privacy').addEventListener('click', () => showPage('privacy'));
  for (const back of document.querySelectorAll('.back')) back.addEventListener('click', () => showPage('chat'));
  $('#signout').addEventListener('click', async () => {
    try { await api('POST', '/web/signout'); } catch (error) { showError(error.message); }
    showSignIn();
  });
  $('#composer').addEventListener('submit', (event) => { event.preventDefault(); send(); });
  $('#input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
    if (event.key === 'Escape') cancelEdit();
  });
  $('#stop').addEventListener('click', () => { if (state.controller) state.controller.abort(); });
  $('#cancel-edit').addEventListener('click', cancelEdit);
  $('#fact-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('#fact-input');
    try { await api('POST', '/web/memory', { text: input.value }); input.value = ''; } catch (error) { showError(error.message); }
    loadMemory();
  });
  $('#personalisation').addEventListener('change', saveSettings);
  $('#health-consent').addEventListener('change', saveSettings);
  $('#export').addEventListener('click', exportData);
  $('#delete-account').addEventListener('click', deleteAccount);
  start();
});
"""#
}
