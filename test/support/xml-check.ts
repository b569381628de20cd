// A tiny, strict-enough XML reader for tests: checks that tags nest, that attribute values are
// quoted and contain no raw '<', that text has no raw '<' or bare '&', and returns the element tree.
// Not a general XML parser (no DTD, no CDATA, no namespaces): enough to prove JUnit is well formed.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipWs = () => { while (i < xml.length && /\s/.test(xml[i])) i++; };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(text, i);
    stack[stack.length - 1].text += decode(text);
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (xml[i + 1] === '/') {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`closing </${name}> at ${i} does not match <${open?.name}>`);
      i = end + 1;
      continue;
    }
    i++;
    const nameMatch = /^[A-Za-z_][\w.-]*/.exec(xml.slice(i));
    if (!nameMatch) throw new Error(`bad tag name at ${i}`);
    const el: XmlElement = { name: nameMatch[0], attrs: {}, children: [], text: '' };
    i += el.name.length;
    for (;;) {
      skipWs();
      if (xml.startsWith('/>', i)) { i += 2; stack[stack.length - 1].children.push(el); break; }
      if (xml[i] === '>') { i++; stack[stack.length - 1].children.push(el); stack.push(el); break; }
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/.exec(xml.slice(i));
      if (!attr) throw new Error(`bad attribute in <${el.name}> at ${i}: ${xml.slice(i, i + 40)}`);
      if (attr[2].includes('<')) throw new Error(`raw '<' in attribute ${attr[1]} of <${el.name}>`);
      checkText(attr[2], i);
      if (attr[1] in el.attrs) throw new Error(`duplicate attribute ${attr[1]} in <${el.name}>`);
      el.attrs[attr[1]] = decode(attr[2]);
      i += attr[0].length;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error(`expected one root element, found ${root.children.length}`);
  return root.children[0];
}

function checkText(text: string, at: number): void {
  const bare = text.replace(ENTITY, '');
  if (bare.includes('&')) throw new Error(`bare '&' near ${at}: ${text.slice(0, 60)}`);
  if (bare.includes('<')) throw new Error(`raw '<' near ${at}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) throw new Error(`control character not allowed in XML near ${at}`);
}

function decode(s: string): string {
  return s.replace(ENTITY, (e) => {
    switch (e) {
      case '&amp;': return '&';
      case '&lt;': return '<';
      case '&gt;': return '>';
      case '&quot;': return '"';
      case '&apos;': return "'";
    }
    return String.fromCodePoint(e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10));
  });
}

/** Every element named `name` in the tree, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => { if (e.name === name) out.push(e); e.children.forEach(walk); };
  walk(el);
  return out;
}
