import { RE2JS, RE2JSSyntaxException } from "re2js";

/**
 * A user's regex (an extraction's pattern, a header check's `matches`), compiled with RE2
 * semantics. RegExp backtracks: `^(a+)+$` on 27 bytes takes it seconds, which pinned a shared
 * worker until it was declared lost. RE2 matches in time linear in the input whatever the
 * pattern, and RE2JS is a pure-JS port (no native build, so it runs in every engine thread and
 * bundle as is). The price is RE2's syntax: no backreferences and no lookaround.
 */
export type UserRegex = {
  /** Whether it matches anywhere in `text`. */
  test(text: string): boolean;
  /**
   * Capture group `group` (0: the whole match) of the leftmost match in `text`, as RegExp's
   * `exec(text)?.[group]` gives it: undefined when nothing matches, the group took no part, or
   * the pattern has no such group.
   */
  group(text: string, group: number): string | undefined;
};

/** Compiles a pattern; throws when RE2 cannot (see regexError, which says why). */
export function compileRegex(pattern: string): UserRegex {
  const re = RE2JS.compile(pattern);
  const groups = re.groupCount();
  return {
    test: (text) => re.test(text),
    group: (text, group) => {
      if (group > groups) return undefined;
      const match = re.exec(text);
      return (match?.[group] as string | undefined) ?? undefined;
    },
  };
}

/** What RE2 cannot do, by the start of the fragment its parser stops at. */
const UNSUPPORTED: [RegExp, string][] = [
  [/^\(\?<?[=!]/, "lookaround is not supported"],
  [/^\\(?:[1-9]|k)/, "backreferences are not supported"],
];

/** Why RE2 cannot compile a pattern (naming lookaround and backreferences), or null when it can. */
export function regexError(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (e) {
    const message = (e as Error).message.replace(/^error parsing regexp: /, "");
    // The fragment the parser stopped at: `(?=`, `(?<=a)b`, `\1`...
    const fragment = e instanceof RE2JSSyntaxException ? (e.input ?? "") : "";
    const why = UNSUPPORTED.find(([start]) => start.test(fragment))?.[1];
    return why ? `${message}: ${why} (regexes are RE2 syntax)` : message;
  }
}
