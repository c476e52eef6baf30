/**
 * The paths the streaming processor accepts: `$` (the document is the array), `$.items`,
 * `$.data.results`, and bracketed keys for names that are not identifiers: `$["odd key"].list`.
 */
export function parseJsonPath(path: string): string[] {
  if (!path.startsWith('$')) throw new SyntaxError(`JSON path must start with '$', got '${path}'`);
  const keys: string[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!match)
        throw new SyntaxError(`JSON path '${path}': expected a key after '.' at character ${i + 1}`);
      keys.push(match[0]);
      i += 1 + match[0].length;
    } else if (path[i] === '[') {
      const match = /^\[\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\]/.exec(path.slice(i));
      if (!match?.[1]) throw new SyntaxError(`JSON path '${path}': expected ["key"] at character ${i}`);
      const quoted = match[1];
      keys.push(quoted.startsWith('"') ? JSON.parse(quoted) : quoted.slice(1, -1).replace(/\\(.)/g, '$1'));
      i += match[0].length;
    } else {
      throw new SyntaxError(
        `JSON path '${path}': unexpected '${path[i]}' at character ${i}; use $.key or $["key"]`,
      );
    }
  }
  return keys;
}

/** Formats keys back into a path for messages: ['data', 'odd key'] -> $.data["odd key"]. */
export function formatJsonPath(keys: readonly string[]): string {
  return `$${keys.map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('')}`;
}
