// Tokenizer for the oracle's Python subset: Python's own line structure (INDENT/DEDENT, implicit joining inside
// brackets, backslash continuation), every string form (prefixes r/b/f/u, triple quotes, escapes) and number form.
// A construct it cannot read raises a SyntaxError that names it and its line, so a case never hangs on bad input.

export type TokKind = 'num' | 'str' | 'name' | 'op' | 'nl' | 'indent' | 'dedent' | 'end';
export interface Tok {
  k: TokKind;
  v: string;
  line: number;
  /** Offset of the token in the source (statement source slices for hooks). */
  pos: number;
  end: number;
  /** String prefix letters, lower-cased ('f', 'r', 'b', 'rb', 'fr', ...). */
  prefix?: string;
}

const OPS3 = ['**=', '//=', '>>=', '<<=', '...'];
const OPS2 = ['**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/=', '%=', '@=', '&=', '|=', '^=', '>>', '<<', ':='];
const OPS1 = '+-*/%@&|^~<>()[]{},:.;=!';

export function pySyntaxError(msg: string, line: number): SyntaxError {
  return new SyntaxError(`pyeval: ${msg} (line ${line})`);
}

function unescape(body: string, line: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case undefined:
        out += '\\';
        break;
      case '\n':
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case "'":
      case '"':
        out += n;
        break;
      case 'x':
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      case 'u':
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
        break;
      case 'U':
        out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
        i += 8;
        break;
      case 'N':
        throw pySyntaxError('unsupported construct: \\N{...} string escape', line);
      default:
        out += '\\' + n;
    }
  }
  return out;
}

/** Escapes of a non-raw literal (f-string literal parts are unescaped by the parser). */
export { unescape as unescapePy };

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const indents = [0];
  let i = 0,
    line = 1,
    depth = 0,
    atLineStart = true;
  const push = (k: TokKind, v: string, pos: number, extra: Partial<Tok> = {}) => out.push({ k, v, line, pos, end: i, ...extra });
  while (i < src.length) {
    if (atLineStart && depth === 0) {
      // Measure indentation; blank and comment-only lines do not count.
      let j = i,
        col = 0;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t')) {
        col += src[j] === '\t' ? 8 - (col % 8) : 1;
        j++;
      }
      if (j >= src.length) {
        i = j;
        break;
      }
      const c = src[j];
      if (c === '\n' || c === '#' || c === '\r') {
        while (j < src.length && src[j] !== '\n') j++;
        i = j + 1;
        line++;
        continue;
      }
      i = j;
      atLineStart = false;
      if (col > indents[indents.length - 1]!) {
        indents.push(col);
        push('indent', '', i);
      } else {
        while (col < indents[indents.length - 1]!) {
          indents.pop();
          push('dedent', '', i);
        }
        if (col !== indents[indents.length - 1]) throw pySyntaxError('unindent does not match any outer indentation level', line);
      }
    }
    const c = src[i]!;
    if (c === '\n') {
      i++;
      if (depth === 0) {
        push('nl', '\n', i - 1);
        atLineStart = true;
      }
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    const start = i;
    // string literal, with optional prefix
    const sm = /^([rRbBfFuU]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (sm && (sm[1] === '' || /[A-Za-z]/.test(c))) {
      const prefix = sm[1]!.toLowerCase();
      if (/[^rbfu]/.test(prefix) || (prefix.includes('b') && prefix.includes('f')))
        throw pySyntaxError(`unsupported construct: string prefix '${sm[1]}'`, line);
      const q = sm[2]!;
      let j = i + sm[0].length;
      const startLine = line;
      let body = '';
      for (;;) {
        if (j >= src.length) throw pySyntaxError('unsupported construct: unterminated string literal', startLine);
        const ch = src[j]!;
        if (ch === '\\') {
          body += ch + (src[j + 1] ?? '');
          if (src[j + 1] === '\n') line++;
          j += 2;
          continue;
        }
        if (src.startsWith(q, j)) {
          j += q.length;
          break;
        }
        if (ch === '\n') {
          if (q.length === 1) throw pySyntaxError('unsupported construct: unterminated string literal', startLine);
          line++;
        }
        body += ch;
        j++;
      }
      i = j;
      const raw = prefix.includes('r');
      const value = raw || prefix.includes('f') ? body : unescape(body, startLine);
      out.push({ k: 'str', v: value, line: startLine, pos: start, end: i, prefix: prefix.replace('u', '') });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?)([jJ])?/.exec(src.slice(i))!;
      if (m[4]) throw pySyntaxError(`unsupported construct: complex literal '${m[0]}'`, line);
      i += m[0].length;
      push('num', m[0].replace(/_/g, ''), start);
      continue;
    }
    if (/[A-Za-z_\u00c0-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u00c0-\uffff][A-Za-z_0-9\u00c0-\uffff]*/.exec(src.slice(i))!;
      i += m[0].length;
      push('name', m[0], start);
      continue;
    }
    const three = src.slice(i, i + 3),
      two = src.slice(i, i + 2);
    const op = OPS3.includes(three) ? three : OPS2.includes(two) ? two : OPS1.includes(c) ? c : null;
    if (op === null) throw pySyntaxError(`unsupported construct: character '${c}'`, line);
    i += op.length;
    if (op === '(' || op === '[' || op === '{') depth++;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    if (op === ';' && depth === 0) {
      push('nl', ';', start);
      continue;
    }
    push('op', op, start);
  }
  if (out.length && out[out.length - 1]!.k !== 'nl') out.push({ k: 'nl', v: '\n', line, pos: i, end: i });
  while (indents.length > 1) {
    indents.pop();
    out.push({ k: 'dedent', v: '', line, pos: i, end: i });
  }
  out.push({ k: 'end', v: '', line, pos: i, end: i });
  return out;
}
