// Tiny XML writer. Every text value goes through escapeXml; raw markup only exists inside Xml values
// built by the functions below, so nothing unescaped can slip into a response.

export class Xml {
  private constructor(readonly raw: string) {}

  static readonly empty = new Xml('');

  /** Internal: wraps markup that was produced by this module. */
  static fromMarkup(raw: string): Xml {
    return new Xml(raw);
  }

  get isEmpty(): boolean {
    return this.raw.length === 0;
  }
}

/**
 * Escapes text for element content and attribute values. \r is written as a character reference because
 * XML parsers (the SDK's included) turn a literal \r into \n. Other C0 controls are not legal XML 1.0
 * characters; they are written as references too (the SDK decodes them) rather than dropped silently.
 */
export function escapeXml(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      case '\r':
        out += '&#13;';
        break;
      default: {
        const code = ch.codePointAt(0) ?? 0;
        out += code < 0x20 && ch !== '\n' && ch !== '\t' ? `&#${code};` : ch;
      }
    }
  }
  return out;
}

export type Scalar = string | number | boolean;

/** Escaped text node. */
export function text(value: Scalar): Xml {
  return Xml.fromMarkup(escapeXml(String(value)));
}

/** `<name>value</name>`, or nothing when value is null/undefined. */
export function leaf(name: string, value: Scalar | null | undefined): Xml {
  if (value === null || value === undefined) return Xml.empty;
  return Xml.fromMarkup(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** `<name>children</name>` (always written, even with no children). */
export function elem(name: string, ...children: Xml[]): Xml {
  return Xml.fromMarkup(`<${name}>${children.map((c) => c.raw).join('')}</${name}>`);
}

/** Sibling nodes without a wrapper (e.g. the children of a list item). */
export function fragment(...children: Xml[]): Xml {
  return Xml.fromMarkup(children.map((c) => c.raw).join(''));
}

/** `<name>children</name>`, or nothing when `present` is false. */
export function elemIf(present: boolean, name: string, ...children: Xml[]): Xml {
  return present ? elem(name, ...children) : Xml.empty;
}

/**
 * A wrapped list: `<name><item>..</item><item>..</item></name>`. Empty lists are omitted unless
 * `always` is set (EC2 omits empty member lists such as tagSet; result lists are always written).
 */
export function list(name: string, items: Xml[], opts: { always?: boolean; itemName?: string } = {}): Xml {
  if (items.length === 0 && opts.always !== true) return Xml.empty;
  const itemName = opts.itemName ?? 'item';
  return elem(name, ...items.map((i) => elem(itemName, i)));
}

/** A whole document with an XML declaration and a namespaced root element. */
export function xmlDocument(root: string, xmlns: string | undefined, ...children: Xml[]): string {
  const ns = xmlns === undefined ? '' : ` xmlns="${escapeXml(xmlns)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${children.map((c) => c.raw).join('')}</${root}>`;
}
