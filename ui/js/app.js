// PIM Ready UI entry point: loads the settings and draws the first screen.
import { asAppError, call } from "./ipc.js";
import { render, toast } from "./shell.js";
import { state } from "./state.js";

async function start() {
  render();
  try {
    state.settings = await call("get_settings");
    if (state.settings.warning) toast(state.settings.warning, "error");
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
  if (state.screen === "settings") render();
}

start();
