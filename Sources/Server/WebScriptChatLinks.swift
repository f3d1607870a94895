/// The page's Chat apps view: a one-time link code to send from WhatsApp, Messenger or
/// Instagram, and the chats linked to the account (sender ids masked by the server) with Unlink.
enum WebScriptChatLinks {
    static let source = #"""

const PLATFORM_NAMES = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram' };

async function loadChatLinks() {
  let links;
  try { links = await apiJSON('GET', '/web/chat-links'); } catch (error) { showError(error.message); return; }
  const list = $('#linked-chats');
  list.textContent = '';
  if (!links.length) list.append(el('li', 'muted', 'No chat app is linked.'));
  for (const link of links) {
    const item = el('li', 'row');
    const name = PLATFORM_NAMES[link.platform] || link.platform;
    item.append(el('span', '', name + ' ' + link.maskedSender + ', linked ' + new Date(link.linkedMs).toLocaleString()));
    const unlink = el('button', '', 'Unlink');
    unlink.addEventListener('click', async () => {
      try { await api('DELETE', '/web/chat-links/' + encodeURIComponent(link.id)); } catch (error) { showError(error.message); }
      loadChatLinks();
    });
    item.append(unlink);
    list.append(item);
  }
}

async function newLinkCode() {
  try {
    const issued = await apiJSON('POST', '/web/chat-links/code');
    $('#link-command').textContent = issued.command;
    $('#link-code-box').hidden = false;
  } catch (error) { showError(error.message); }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#open-chat-links').addEventListener('click', () => showPage('chat-links'));
  $('#link-code-button').addEventListener('click', newLinkCode);
});
"""#
}
