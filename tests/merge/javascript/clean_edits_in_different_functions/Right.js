export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function titleCase(text) {
  return text.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1));
}

export function truncate(text, n) {
  if (text.length <= n) return text;
  return text.slice(0, Math.max(0, n - 1)) + "…";
}
