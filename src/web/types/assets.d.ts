/** Vite's `?url` imports: the built file's address (the pdf.js worker is served from this origin). */
declare module '*?url' {
  const url: string;
  export default url;
}
