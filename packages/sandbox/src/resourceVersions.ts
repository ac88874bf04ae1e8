interface Versioned {
  metadata: { uid?: string; name?: string; resourceVersion?: string };
}

/**
 * Hands out Kubernetes-style resourceVersions: one counter for the whole sandbox,
 * and an object gets the next value whenever its content differs from the last time
 * it was served. Clients that cache by resourceVersion therefore see real changes only.
 */
export class ResourceVersions {
  private counter = 1;
  private readonly seen = new Map<
    string,
    { content: string; version: string }
  >();

  current(): string {
    return String(this.counter);
  }

  stamp<T extends Versioned>(object: T): T {
    const key = object.metadata.uid ?? object.metadata.name ?? '';
    const content = JSON.stringify({
      ...object,
      metadata: { ...object.metadata, resourceVersion: undefined },
    });
    let entry = this.seen.get(key);
    if (!entry || entry.content !== content) {
      this.counter += 1;
      entry = { content, version: String(this.counter) };
      this.seen.set(key, entry);
    }
    return {
      ...object,
      metadata: { ...object.metadata, resourceVersion: entry.version },
    };
  }

  /**
   * The last state of a deleted object at the version of its deletion, as the API
   * server's watch sends it in a DELETED event; the object's history is forgotten, so
   * one created again under the same key gets a newer version.
   */
  deleted<T extends Versioned>(object: T): T {
    this.seen.delete(object.metadata.uid ?? object.metadata.name ?? '');
    this.counter += 1;
    return {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(this.counter) },
    };
  }
}
