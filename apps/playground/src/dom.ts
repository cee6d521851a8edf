/** The element with this id, typed; a missing one is a bug in index.html. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const message = () => $('message');

/** One message area for the whole page: errors are announced (role=alert) and stay until replaced. */
export function showMessage(text: string, kind: 'error' | 'info' = 'error'): void {
  const m = message();
  m.textContent = text;
  m.dataset.kind = kind;
  m.hidden = false;
}

export function clearMessage(): void {
  message().hidden = true;
  message().textContent = '';
}

export const seconds = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;
export const millis = (ms: number): string => `${Math.round(ms)} ms`;
