// Drone splits a configuration file into documents itself, line by line, before any YAML parsing:
// a line starting with `---` starts a new document (the whole line is dropped), a line starting with
// `...` ends the file, and each kept line is re-joined with `\n` (a trailing `\r` is dropped, as Go's
// line scanner does). The documents' text is also what a `kind: signature` signs.

export interface RawDocument {
  /** The document's lines, each followed by `\n`. */
  text: string;
  /** 1-based line number, in the file, of the document's first line. */
  line: number;
  /** 0-based index of the document in the file. */
  index: number;
}

/** Splits a file into Drone's raw documents (drone-yaml `ParseRaw`). */
export function splitDocuments(input: string): RawDocument[] {
  // Go's line scanner drops the `\r` of a line ending (and of an unterminated last line).
  let text = input.includes('\r') ? input.replace(/\r\n/g, '\n') : input;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const docs: RawDocument[] = [];
  if (text === '') return docs;
  // Documents are slices of the text between separator lines; only lines starting with `-` or `.`
  // can be separators or the terminator.
  let docStart = 0;
  let docLine = 1;
  let lineNo = 1;
  const close = (end: number) => {
    let t = text.slice(docStart, end);
    if (t !== '' && !t.endsWith('\n')) t += '\n';
    docs.push({ text: t, line: docLine, index: docs.length });
  };
  for (let pos = 0; pos < text.length; lineNo++) {
    let next = text.indexOf('\n', pos);
    next = next < 0 ? text.length : next + 1;
    const c = text.charCodeAt(pos);
    if (c === 45 /* - */ && text.startsWith('---', pos)) {
      // Lines before the first separator are a document of their own.
      if (pos > 0) close(pos);
      docStart = next;
      docLine = lineNo + 1;
      // A separator opens a document even when no line follows.
      if (next >= text.length) {
        docs.push({ text: '', line: docLine, index: docs.length });
        return docs;
      }
    } else if (c === 46 /* . */ && text.startsWith('...', pos)) {
      // A terminator on the very first line ends the file before any document began.
      if (pos > 0) close(pos);
      return docs;
    }
    pos = next;
  }
  close(text.length);
  return docs;
}
