/** Shared by the theme toggle (client) and the root layout's inline script (server). */
export const THEME_STORAGE_KEY = "sb-theme";

/** Runs in <head> before first paint: dark class from the stored choice, else prefers-color-scheme. */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");var d=t==="dark"||(t!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);var c=document.documentElement.classList;d?c.add("dark"):c.remove("dark");}catch(e){}})();`;
