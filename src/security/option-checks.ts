import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
} from 'class-validator';

/**
 * The checks of a list of secrets or keys, newest first, each at least `minLength` characters
 * (`secrets`, `cookieSessions.keys`); `path` names the option in the messages.
 */
export function IsKeyring(
  path: string,
  item: 'secret' | 'key',
  minLength: number,
): PropertyDecorator {
  return stacked(
    IsArray({ message: `${path} must be an array of strings, newest first` }),
    ArrayNotEmpty({ message: `${path} must hold at least one ${item}` }),
    IsString({ each: true }),
    MinLength(minLength, {
      each: true,
      message: `each of ${path} must be at least ${minLength} characters; generate one with \`openssl rand -base64 48\``,
    }),
  );
}

/**
 * An optional prefix length (leading bits kept) of an IPv4 (`maxBits` 32) or IPv6 (128) address:
 * the one check of the `ipv4PrefixLength` and `ipv6PrefixLength` options.
 */
export function IsPrefixLength(maxBits: 32 | 128): PropertyDecorator {
  return stacked(IsOptional(), IsInt(), Min(0), Max(maxBits));
}

/**
 * The decorators as if stacked above a property in this order: applied bottom-up, as stacked
 * decorators are, so class-validator reports their problems in the same order.
 */
function stacked(...checks: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const check of [...checks].reverse()) check(target, property);
  };
}
