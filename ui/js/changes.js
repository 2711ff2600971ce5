// Pure helpers of the Changes screen (no DOM), tested under node.

/** Addresses or names typed in one field. @param {string} text */
export function splitList(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

/** Requests as they go to Graph, one block per request. @param {any[]} calls */
export function requestLines(calls) {
  return calls.map((c) => `${c.method} ${c.path}${c.body === undefined || c.body === null ? "" : "\n" + JSON.stringify(c.body, null, 2)}`).join("\n\n");
}
