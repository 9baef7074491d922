function formatBytes(n, digits = 1) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : digits)} ${units[i]}`;
}

export function report(files) {
  return files.map((f) => `${f.name}: ${formatBytes(f.size)}`).join("\n");
}

export function total(files) {
  return formatBytes(files.reduce((sum, f) => sum + f.size, 0));
}
