/**
 * Reads at least `length` bytes from the front of a stream (fewer only if it ends first) and
 * returns them with a stream that replays them followed by the rest, so magic bytes can be
 * inspected without buffering or re-opening the source.
 */
export async function peekPrefix(
  chunks: AsyncIterable<Uint8Array>,
  length: number,
): Promise<{ prefix: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let buffered = 0;
  let ended = false;
  while (buffered < length) {
    const step = await iterator.next();
    if (step.done === true) {
      ended = true;
      break;
    }
    head.push(step.value);
    buffered += step.value.length;
  }
  const prefix = Buffer.concat(head).subarray(0, length);

  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      if (ended) {
        return;
      }
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) {
          ended = true;
          return;
        }
        yield step.value;
      }
    } finally {
      // Stopping early must still close the underlying source (file handles).
      if (!ended) {
        await iterator.return?.();
      }
    }
  }
  return { prefix, stream: replay() };
}
