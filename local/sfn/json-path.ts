/**
 * The small, "reference path" subset of JSONPath (`$`, `$.a.b`, `$['a'][0]`) that the
 * service needs outside the engine: evaluating a Task's TimeoutSecondsPath /
 * HeartbeatSecondsPath and a Map's ItemsPath, and applying a Catch ResultPath for the
 * history. Anything fancier (filters, wildcards) is reported as not evaluable and the
 * callers degrade gracefully.
 */

type Segment = string | number;

function parse(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      const match = /^[^.[\]*?@()]+/.exec(path.slice(i + 1));
      if (!match) return undefined;
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (ch === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(?:'([^']*)'|"([^"]*)")\]/.exec(rest);
      if (index?.[1] !== undefined) {
        segments.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        segments.push(quoted[1] ?? quoted[2] ?? '');
        i += quoted[0].length;
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return segments;
}

export function readPath(value: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const segments = parse(path);
  if (!segments) return { found: false };
  let current: unknown = value;
  for (const segment of segments) {
    if (
      typeof segment === 'number' ? !Array.isArray(current) : typeof current !== 'object' || current === null
    ) {
      return { found: false };
    }
    const container = current as Record<string | number, unknown>;
    if (!(segment in container)) return { found: false };
    current = container[segment];
  }
  return { found: true, value: current };
}

/** Like a state's ResultPath: returns `target` with `value` placed at `path`. */
export function writePath(target: unknown, path: string | null | undefined, value: unknown): unknown {
  if (path === undefined) return value;
  if (path === null) return target;
  const segments = parse(path);
  if (!segments) return value;
  const set = (node: unknown, rest: Segment[]): unknown => {
    const [head, ...tail] = rest;
    if (head === undefined) return value;
    if (typeof head === 'number') {
      const copy = Array.isArray(node) ? [...node] : [];
      copy[head] = set(copy[head], tail);
      return copy;
    }
    const copy: Record<string, unknown> =
      typeof node === 'object' && node !== null && !Array.isArray(node)
        ? { ...(node as Record<string, unknown>) }
        : {};
    copy[head] = set(copy[head], tail);
    return copy;
  };
  return set(target, segments);
}
