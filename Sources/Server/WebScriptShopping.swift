/// The page's Shopping cards: the products a Shopping answer carries (`shopping_products`, on
/// the stream's first chunk and stored with the answer) with picture, brand, price, reason,
/// "Sponsored" label, a link to the post the reason cites, and Save / Dismiss. Catalogue text
/// reaches the DOM only as textContent or attribute values, never as markup.
enum WebScriptShopping {
    static let source = #"""

/// Same-origin catalogue images load; remote ones are not fetched (the CSP allows only this
/// server, and a remote image would tell its host who looks at what): the server draws one.
function pictureSource(card) {
  const own = typeof card.image_url === 'string' && card.image_url.startsWith('/') && !card.image_url.startsWith('//');
  return own ? card.image_url : '/shopping/products/' + encodeURIComponent(card.product_id) + '/picture.svg';
}

function productCardsView(cards) {
  const list = el('ul', 'products');
  list.setAttribute('aria-label', 'Products');
  for (const card of cards) list.append(productCardView(card));
  return list;
}

function productCardView(card) {
  const item = el('li', 'product');
  item.dataset.product = card.product_id;
  const picture = el('img', 'product-image');
  picture.src = pictureSource(card); picture.alt = card.title; picture.width = 96; picture.height = 96;
  const body = el('div', 'product-body');
  if (card.sponsored) body.append(el('span', 'sponsored', 'Sponsored'));
  body.append(el('span', 'product-title', card.title));
  if (card.brand) body.append(el('span', 'product-brand muted', card.brand));
  const price = el('span', 'product-price', card.price);
  if (!card.price.includes(card.currency)) price.append(el('span', 'muted', ' ' + card.currency));
  body.append(price);
  if (!card.in_stock) body.append(el('span', 'muted', 'Out of stock'));
  const reason = el('p', 'product-reason', card.reason.charAt(0).toUpperCase() + card.reason.slice(1));
  if (card.post_id) {
    const link = el('a', 'post-link', 'See the post');
    link.href = '/posts/' + encodeURIComponent(card.post_id);
    link.setAttribute('aria-label', 'See the post behind ' + card.title);
    reason.append(' ', link);
  }
  body.append(reason);
  const actions = el('div', 'actions');
  const save = el('button', 'link', 'Save');
  save.setAttribute('aria-label', 'Save ' + card.title);
  save.addEventListener('click', () => productFeedback(card, 'save', item, save));
  const dismiss = el('button', 'link', 'Dismiss');
  dismiss.setAttribute('aria-label', 'Dismiss ' + card.title);
  dismiss.addEventListener('click', () => productFeedback(card, 'dismiss', item, dismiss));
  actions.append(save, dismiss);
  body.append(actions);
  item.append(picture, body);
  return item;
}

/// Records a save or dismissal for the signed-in user; a dismissed card leaves the answer.
async function productFeedback(card, kind, item, button) {
  let result;
  try { result = await apiJSON('POST', '/web/shopping/feedback', { product_id: card.product_id, kind, post_id: card.post_id || null }); }
  catch (error) { showError(error.message); return; }
  if (kind === 'save') { button.textContent = 'Saved'; button.disabled = true; return; }
  item.classList.add('dismissed');
  item.replaceChildren(el('p', 'muted', result.personalised
    ? 'Dismissed: ' + card.title + ' will not be suggested again.'
    : 'Dismissed here. Turn on personalisation in Privacy so Shopping remembers it.'));
}
"""#
}
