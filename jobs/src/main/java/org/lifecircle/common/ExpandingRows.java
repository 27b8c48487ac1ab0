package org.lifecircle.common;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * A partition's rows, each input row expanded into any number of output rows as the consumer reads
 * them (a {@code mapPartitions} that keeps per-partition state, such as a search workspace, without
 * holding the partition's output in memory). The output is {@code Row}s, or Spark's internal rows
 * where a stage hands them to Spark without conversion.
 */
public abstract class ExpandingRows<O> implements Iterator<O> {
  private final Iterator<Row> in;
  private final ArrayDeque<O> pending = new ArrayDeque<>();

  protected ExpandingRows(Iterator<Row> in) {
    this.in = in;
  }

  /** Emits the output rows of one input row through {@link #emit}. */
  protected abstract void expand(Row row);

  protected final void emit(O row) {
    pending.add(row);
  }

  @Override
  public final boolean hasNext() {
    while (pending.isEmpty() && in.hasNext()) {
      expand(in.next());
    }
    return !pending.isEmpty();
  }

  @Override
  public final O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }
}
