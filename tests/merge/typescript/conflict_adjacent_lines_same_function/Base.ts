export interface Page<T> {
  items: T[];
  next?: string;
}

export async function fetchAll<T>(url: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = url;
  while (next) {
    const res = await fetch(next);
    const page = (await res.json()) as Page<T>;
    out.push(...page.items);
    next = page.next;
  }
  return out;
}
