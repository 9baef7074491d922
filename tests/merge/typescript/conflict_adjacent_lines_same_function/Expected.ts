export interface Page<T> {
  items: T[];
  next?: string;
}

export async function fetchAll<T>(url: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = url;
  while (next) {
<<<<<<< ours
    const res = await fetch(next, { headers: { accept: "application/json" } });
=======
    const res = await fetch(next);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
>>>>>>> theirs
    const page = (await res.json()) as Page<T>;
    out.push(...page.items);
    next = page.next;
  }
  return out;
}
