// What an error panel advises (no DOM), tested under node.

/** The advice for each error kind, when the error brings no hint of its own. */
const ADVICE = /** @type {Record<string, string>} */ ({
  sign_in_required: "Sign in again, or try the demo tenant.",
  consent_required: "An administrator must grant PIM Ready's read permissions to the tenant first.",
  network: "Check the network connection and try again.",
  not_licensed: "This tenant lacks the licence the operation needs.",
  permission_denied: "Your account lacks a role this needs (Global Reader is enough).",
  io: "Check that the folder exists and that you can write to it.",
  invalid_input: "Check what you entered.",
  cancelled: "Nothing was changed.",
  internal: "This is a bug in PIM Ready; please report it with the message above.",
});

/**
 * The error's own hint when it has one (it knows what went wrong), else its kind's advice.
 * @param {{ kind: string, hint?: string | null }} error
 */
export function adviceFor(error) {
  return error.hint ? error.hint : ADVICE[error.kind] ?? "";
}
