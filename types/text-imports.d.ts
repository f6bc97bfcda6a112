/** Files imported as text (`import page from './index.html' with { type: 'text' }`; esbuild's text loader). */
declare module '*.html' {
  const text: string;
  export default text;
}
