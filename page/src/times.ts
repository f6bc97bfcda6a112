/** Times as a person reads them: "12 minutes ago", "in 4 minutes", "16:40", "4 more minutes". */

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'always' });

/** How long ago or how soon `epochSeconds` is, seen at `nowMs`: "just now", "12 minutes ago", "in 2 hours". */
export function fromNow(epochSeconds: number, nowMs: number): string {
  const seconds = Math.round(epochSeconds - nowMs / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return seconds <= 0 ? 'just now' : 'in a few seconds';
  if (size < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (size < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

/** The clock time of `epochSeconds` ("16:40"), with the date when it is not the day of `nowMs`. */
export function clockTime(epochSeconds: number, nowMs: number): string {
  const date = new Date(epochSeconds * 1000);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return date.toDateString() === new Date(nowMs).toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

/** What is left of a span, rounded up to the minute past one: "1 more second", "4 more minutes". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'more second' : 'more seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? 'more minute' : 'more minutes'}`;
}
