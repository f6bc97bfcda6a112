/**
 * Generated sections of the docs: the text between
 * `<!-- generated: <name> (npm run docs:facts; do not edit by hand) -->` and
 * `<!-- generated end: <name> -->`, written from the code and serverless.yml by `npm run docs:facts`
 * and held to them by tests, so a list in the docs cannot drift from what it lists.
 */

const start = (name: string) => `<!-- generated: ${name} (npm run docs:facts; do not edit by hand) -->`;
const end = (name: string) => `<!-- generated end: ${name} -->`;

/** The text of section `name` in `doc`, or undefined when the doc lacks its markers. */
export function sectionText(doc: string, name: string): string | undefined {
  const from = doc.indexOf(start(name));
  const to = doc.indexOf(end(name));
  return from < 0 || to < from ? undefined : doc.slice(from + start(name).length + 1, to);
}

/** `doc` with section `name` holding `text` (ending in a newline). Throws when the markers are missing. */
export function replaceSection(doc: string, name: string, text: string): string {
  if (sectionText(doc, name) === undefined) throw new Error(`no markers ${start(name)} … ${end(name)}`);
  return `${doc.slice(0, doc.indexOf(start(name)) + start(name).length)}\n${text}${doc.slice(doc.indexOf(end(name)))}`;
}
