package org.lifecircle.cli;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Counts what a stage cost in Spark terms (jobs, tasks, executor CPU, shuffle bytes) and, for the
 * driver JVM (all of it in local mode), process CPU time and peak heap, so run_log and the
 * benchmark can say where time went without the Spark UI.
 */
final class SparkMetrics extends SparkListener {
  private final AtomicLong jobs = new AtomicLong();
  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong cpuNanos = new AtomicLong();
  private final AtomicLong shuffleWrite = new AtomicLong();
  private final AtomicLong shuffleRead = new AtomicLong();
  private final AtomicLong peakMemory = new AtomicLong();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final long processCpuAtStart = processCpuNanos();

  static SparkMetrics attach(SparkSession spark) {
    // Peak heap is per stage: the pools' peaks restart here. The sum of per-pool peaks is an upper
    // bound of the heap's peak (pools peak at different moments), the figure a sizing needs.
    ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .forEach(MemoryPoolMXBean::resetPeakUsage);
    SparkMetrics m = new SparkMetrics();
    spark.sparkContext().addSparkListener(m);
    return m;
  }

  void detach(SparkSession spark) {
    spark.sparkContext().removeSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    jobs.incrementAndGet();
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    tasks.incrementAndGet();
    TaskMetrics m = taskEnd.taskMetrics();
    if (m != null) {
      cpuNanos.addAndGet(m.executorCpuTime());
      shuffleWrite.addAndGet(m.shuffleWriteMetrics().bytesWritten());
      shuffleRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
      peakMemory.accumulateAndGet(m.peakExecutionMemory(), Math::max);
      rowsRead.addAndGet(m.inputMetrics().recordsRead());
      rowsWritten.addAndGet(m.outputMetrics().recordsWritten());
    }
  }

  long rowsRead() {
    return rowsRead.get();
  }

  long rowsWritten() {
    return rowsWritten.get();
  }

  Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spark_jobs", jobs.get());
    out.put("spark_tasks", tasks.get());
    out.put("executor_cpu_s", Math.round(cpuNanos.get() / 1e7) / 100.0);
    out.put("shuffle_write_bytes", shuffleWrite.get());
    out.put("shuffle_read_bytes", shuffleRead.get());
    out.put("task_peak_execution_memory_bytes", peakMemory.get());
    out.put("process_cpu_s", Math.round((processCpuNanos() - processCpuAtStart) / 1e7) / 100.0);
    out.put(
        "jvm_heap_peak_mb",
        ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum()
            >> 20);
    return out;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }
}
