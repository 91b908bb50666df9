/**
 * A value that cannot be coerced to its field's type. Readers throw it with a short reason; the
 * row parser turns it into an `ImportFailure` (`DeserializationFailed`) naming model, position and
 * field, which a bare reader does not know.
 */
export class ValueError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ValueError";
  }
}

/** A short rendering of an offending value for messages. */
export function describeValue(raw: unknown): string {
  // values come from JSON.parse; only a missing value has no JSON form
  const text = raw === undefined ? "nothing" : JSON.stringify(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
