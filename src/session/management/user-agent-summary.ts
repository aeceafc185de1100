/** Browser families, most specific first: Edge and Opera also say "Chrome", Chrome says "Safari". */
const BROWSERS: readonly [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/curl\/(\d+)/, 'curl'],
];
const SYSTEMS: readonly [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];
/** Longest summary kept: the raw header is attacker-controlled and may be kilobytes long. */
const MAX_LENGTH = 64;

/**
 * A short, human summary of a User-Agent header for session lists, such as
 * 'Firefox 128 on Linux'; unknown agents keep their first token, cut short.
 *
 * @example
 * summarizeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
 * // 'Firefox 128 on Linux'
 */
export function summarizeUserAgent(header: string | undefined): string {
  if (!header) return 'unknown';
  const browser = BROWSERS.find(([pattern]) => pattern.test(header));
  const system = SYSTEMS.find(([pattern]) => pattern.test(header))?.[1];
  if (!browser) {
    const first = header.trim().split(/\s+/)[0] ?? 'unknown';
    return first.slice(0, MAX_LENGTH);
  }
  const version = browser[0].exec(header)?.[1];
  const name = version ? `${browser[1]} ${version}` : browser[1];
  return (system ? `${name} on ${system}` : name).slice(0, MAX_LENGTH);
}
