// Redis's stringmatchlen: glob with * ? [..] [^..] ranges and \ escapes, on bytes.
// Like Redis, a '*' that already consumed the whole string without a match tells enclosing
// stars to give up, which keeps patterns such as a*a*a*a*...b linear instead of exponential.
export function globMatch(pat: Uint8Array, str: Uint8Array, nocase = false): boolean {
  return matchAt(pat, 0, str, 0, nocase, { skipLonger: false }, 0);
}

const MAX_NESTING = 1000;
const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

function matchAt(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean, state: { skipLonger: boolean }, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  while (pi < p.length && si < s.length) {
    const c = p[pi];
    if (c === 42 /* * */) {
      while (pi + 1 < p.length && p[pi + 1] === 42) pi++;
      if (pi + 1 === p.length) return true;
      while (si < s.length) {
        if (matchAt(p, pi + 1, s, si, nocase, state, depth + 1)) return true;
        if (state.skipLonger) return false;
        si++;
      }
      state.skipLonger = true;
      return false;
    }
    if (c === 63 /* ? */) {
      si++;
      pi++;
      continue;
    }
    if (c === 91 /* [ */) {
      pi++;
      const not = p[pi] === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      while (pi < p.length && p[pi] !== 93 /* ] */) {
        if (p[pi] === 92 && pi + 1 < p.length) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (pi + 2 < p.length && p[pi + 1] === 45 /* - */) {
          let a = p[pi], b = p[pi + 2], x = s[si];
          if (a > b) [a, b] = [b, a];
          if (nocase) { a = lower(a); b = lower(b); x = lower(x); }
          if (x >= a && x <= b) matched = true;
          pi += 2;
        } else if (nocase ? lower(p[pi]) === lower(s[si]) : p[pi] === s[si]) {
          matched = true;
        }
        pi++;
      }
      if (pi >= p.length) pi = p.length - 1; // unterminated class: Redis treats the end as ']'
      if (not) matched = !matched;
      if (!matched) return false;
      pi++;
      si++;
      continue;
    }
    let lit = c;
    if (c === 92 /* \ */ && pi + 1 < p.length) lit = p[++pi];
    if (nocase ? lower(lit) !== lower(s[si]) : lit !== s[si]) return false;
    pi++;
    si++;
  }
  if (si === s.length) while (pi < p.length && p[pi] === 42) pi++;
  return pi === p.length && si === s.length;
}
