// Which nodes of a flow can send a message to a given node: along wires, and through link nodes (a `link out`
// reaches the `link in` nodes it names, a `link call` the `link in` nodes it calls, and a `link out` in return mode
// reaches every `link call`, since which one it returns to is decided per message).
export interface WiredNode {
  id: string;
  type: string;
  wires?: unknown;
  links?: unknown;
  mode?: unknown;
}

const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The nodes a node sends to, one step away. */
function targets(n: WiredNode, linkCalls: readonly string[]): string[] {
  const out = Array.isArray(n.wires) ? n.wires.flatMap(ids) : [];
  if (n.type === 'link out' && n.mode === 'return') out.push(...linkCalls);
  else if (n.type === 'link out' || n.type === 'link call') out.push(...ids(n.links));
  return out;
}

/** Every node from which a message can reach `target` (not `target` itself, unless it lies on a loop). */
export function feedersOf(target: string, nodes: Iterable<WiredNode>): Set<string> {
  const list = [...nodes];
  const linkCalls = list.filter((n) => n.type === 'link call').map((n) => n.id);
  const into = new Map<string, string[]>();
  for (const n of list) {
    for (const t of targets(n, linkCalls)) {
      const from = into.get(t);
      if (from) from.push(n.id); else into.set(t, [n.id]);
    }
  }
  const found = new Set<string>();
  const frontier = [target];
  while (frontier.length) {
    for (const f of into.get(frontier.pop()!) ?? []) {
      if (found.has(f)) continue;
      found.add(f);
      frontier.push(f);
    }
  }
  return found;
}
