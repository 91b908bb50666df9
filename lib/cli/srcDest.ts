import { Option } from "commander";

/** Sentry's `--src FILE`, accepted as an alternative to the positional SRC. */
export function srcOption(): Option {
  return new Option("--src <file>", "the input file (Sentry's spelling; instead of <src>)");
}

/** Resolves `<src> <dest>` or `--src SRC <dest>` into the two paths. */
export function srcAndDest(
  positional: readonly (string | undefined)[],
  src: string | undefined,
): { src: string; dest: string } | { problem: string } {
  const paths = positionalPaths(positional, src);
  if ("problem" in paths) {
    return paths;
  }
  // Both sides must be real files: SRC is read twice, and DEST appears only once verified.
  if (paths.src === "-" || paths.dest === "-") {
    return { problem: "'-' (stdin/stdout) is not supported; give file paths" };
  }
  return paths;
}

function positionalPaths(
  positional: readonly (string | undefined)[],
  src: string | undefined,
): { src: string; dest: string } | { problem: string } {
  const given = positional.filter((value): value is string => value !== undefined);
  if (src !== undefined) {
    const [dest, ...extra] = given;
    if (dest === undefined) {
      return { problem: "missing the destination path <dest>" };
    }
    if (extra.length > 0) {
      return { problem: "give the input either as <src> or with --src, not both" };
    }
    return { src, dest };
  }
  const [first, dest] = given;
  if (first === undefined) {
    return { problem: "missing the input path <src> (or --src FILE)" };
  }
  if (dest === undefined) {
    return { problem: "missing the destination path <dest>" };
  }
  return { src: first, dest };
}
