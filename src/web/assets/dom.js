// Small DOM helpers: build elements without innerHTML (no markup from data, ever).

/** `el('td', {class: 'num'}, '12')`: an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** The element with `id` (throws when the page lacks it: a bug, not a state). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** Sets the text and the raw value (`data-value`, read by tests and tooltips). */
export function setValue(id, text, raw) {
  const node = byId(id);
  node.textContent = text;
  if (raw === undefined || raw === null) delete node.dataset.value;
  else node.dataset.value = String(raw);
}

/** Shows `message` in an alert box, or hides it when `message` is empty. */
export function showAlert(id, message) {
  const node = byId(id);
  node.textContent = message || '';
  node.hidden = !message;
}

/** Replaces the rows of a table body. */
export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}
