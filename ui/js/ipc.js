// The only place that talks to the Rust side. Uses the global `window.__TAURI__`
// (`app.withGlobalTauri`), so no npm package or bundler is needed.

/**
 * @typedef {{ kind: "sign_in_required"|"consent_required"|"network"|"not_licensed"|"permission_denied"|"io"|"invalid_input"|"cancelled"|"internal", message: string, hint?: string }} AppError
 */

/** @returns {any} */
function tauri() {
  const t = /** @type {any} */ (window).__TAURI__;
  if (!t) throw { kind: "internal", message: "PIM Ready must be opened as the desktop app (the Tauri runtime is missing)." };
  return t;
}

/**
 * @template T
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<T>}
 */
export async function call(command, args = {}) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (e) {
    throw asAppError(e);
  }
}

/**
 * A channel whose messages go to `onMessage`.
 * @param {(message: any) => void} onMessage
 * @returns {any}
 */
export function channel(onMessage) {
  const ch = new (tauri().core.Channel)();
  ch.onmessage = onMessage;
  return ch;
}

/**
 * @param {unknown} e
 * @returns {AppError}
 */
export function asAppError(e) {
  if (e && typeof e === "object" && "kind" in e && "message" in e) return /** @type {AppError} */ (e);
  return { kind: "internal", message: typeof e === "string" ? e : String(e) };
}
