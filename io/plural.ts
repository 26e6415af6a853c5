// A count with its noun, singular for one ("1 digit", "2 digits", "0 digits"): for the messages and reports that
// print how many of something there are.

/** `n` and the noun for that many: `plural(1, 'digit')` is "1 digit"; `plural(3, 'reply', 'replies')` "3 replies". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
