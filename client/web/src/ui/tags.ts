/*
 * Tag colours, once for every page: the names the server accepts
 * (common/tagcolour.c, the same RGB values) or #rrggbb, as CSS, and the ink
 * that reads on them.
 */
export const TAG_PALETTE: Readonly<Record<string, string>> = {
  black: "#000000", blue: "#1f5fd0", brown: "#8b4a1c", cyan: "#00b0c0", gold: "#d4af37",
  green: "#2e9d3a", grey: "#808080", magenta: "#c020c0", orange: "#f08c00", pink: "#f06ca8",
  purple: "#7b3fb0", red: "#d02020", white: "#ffffff", yellow: "#f0d000",
};

export const TAG_COLOUR_NAMES =
  "black, blue, brown, cyan, gold, green, grey, magenta, orange, pink, purple, red, white, yellow, or #rrggbb";

/** A tag's colour as the server keeps it (a palette name or #rrggbb) as CSS; "" if none or unknown. */
export function tagCss(colour: string | undefined): string {
  const s = (colour ?? "").trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(s)) return s;
  return TAG_PALETTE[s] ?? "";
}

/** Black or white text, whichever reads better on `css` (#rrggbb); "" for anything else. */
export function inkOn(css: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(css);
  if (!m) return "";
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => parseInt(x, 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#000000" : "#ffffff";
}
