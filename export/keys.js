// 汇报模式's keyboard: arrow keys, Page Up/Down, Space and a presentation clicker (which sends Page Up/Down,
// or F5 to start and Esc to stop a show) move the slides; F toggles the browser's full screen.
// Each key press is one trigger value ("step") for Python; keys typed into a form field are left alone.
export default function (component) {
  const { setTriggerValue } = component;
  const STEPS = {
    ArrowRight: "next", ArrowDown: "next", PageDown: "next", " ": "next",
    ArrowLeft: "prev", ArrowUp: "prev", PageUp: "prev",
    Home: "first", End: "last", F5: "full", Escape: "exit",
  };
  const FIELDS = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="combobox"], '
    + '[role="listbox"], [role="option"], [role="slider"], [role="switch"]';
  const onKey = (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.isComposing || e.repeat) return;
    const el = e.target instanceof Element ? e.target : null;
    if (el && el.closest(FIELDS)) return;
    if (e.key === " " && el && el.closest("button, a")) return;  // Space presses the focused button itself
    if (e.key === "f" || e.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
      e.preventDefault();
      return;
    }
    const step = STEPS[e.key];
    if (!step) return;
    e.preventDefault();
    setTriggerValue("step", step);
  };
  // One listener per page, whatever the number of reruns that mounted this component.
  if (window.__unionPresentKeys) document.removeEventListener("keydown", window.__unionPresentKeys);
  window.__unionPresentKeys = onKey;
  document.addEventListener("keydown", onKey);
  return () => {
    document.removeEventListener("keydown", onKey);
    if (window.__unionPresentKeys === onKey) window.__unionPresentKeys = null;
  };
}
