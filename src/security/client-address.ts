import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network prefix of an address: an IPv4 address cut to `ipv4Bits`, an IPv6 one to
 * `ipv6Bits`, written as `address/bits`. A client whose address moves within its provider's
 * network keeps its fingerprint. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4.
 *
 * @example
 * addressPrefix('203.0.113.77', 24, 64) // '203.0.113.0/24'
 */
export function addressPrefix(address: string, ipv4Bits: number, ipv6Bits: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address.replace(/%.*$/, '');
  if (isIPv4(plain)) {
    const bytes = plain.split('.').map(Number);
    return `${maskBytes(bytes, ipv4Bits).join('.')}/${ipv4Bits}`;
  }
  if (isIPv6(plain)) {
    const words = ipv6Words(plain);
    const bytes = words.flatMap((word) => [word >> 8, word & 0xff]);
    const masked = maskBytes(bytes, ipv6Bits);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((masked[i]! << 8) | masked[i + 1]!).toString(16));
    return `${groups.join(':')}/${ipv6Bits}`;
  }
  return address;
}

function maskBytes(bytes: readonly number[], bits: number): number[] {
  return bytes.map((byte, index) => {
    const keep = Math.max(0, Math.min(8, bits - index * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

/** The eight 16-bit words of a valid IPv6 address, `::` and a dotted IPv4 tail expanded. */
function ipv6Words(address: string): number[] {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text =
      text.slice(0, -tail[1]!.length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
