import type { Answer } from './answer-log.ts';

/** A refusal as a developer reads it: status, challenge, body. */
function rawAnswer(answer: Answer): string {
  let body = answer.body ?? '';
  try {
    body = JSON.stringify(JSON.parse(body));
  } catch {
    // not JSON: as it came
  }
  return `HTTP ${answer.status}${answer.challenge ? `\nWWW-Authenticate: ${answer.challenge}` : ''}\n${body}`;
}

/**
 * Writes `text` into `element` and shows it, green when `ok`, red when refused. A refusal's raw
 * answer goes behind the closed disclosure `#<element id>-raw`, where the page has one.
 */
export function say(element: HTMLElement, text: string, ok: boolean, answer?: Answer): void {
  element.textContent = text;
  element.className = ok ? 'ok' : 'refused';
  element.hidden = false;
  const raw = document.getElementById(`${element.id}-raw`);
  if (!(raw instanceof HTMLDetailsElement)) return;
  raw.hidden = ok || answer === undefined;
  raw.open = false;
  const pre = raw.querySelector('pre');
  if (answer !== undefined && !ok && pre) pre.textContent = rawAnswer(answer);
}
