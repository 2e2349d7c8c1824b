package io.vmdna.flink;

import io.vmdna.models.dna.FlowRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One VM's network flow records of the last day ({@link #KEEP_S}), the input of the DNA's traffic
 * features (protocol shares, destination entropy and count), as keyed state.
 *
 * <p>Bounded: records more than a day older than the newest are dropped about once an hour (the DNA
 * reads only its last day anyway); at most {@link #MAX_FLOWS} records: when full, the expired ones
 * go first, then the oldest quarter (counted in {@link #dropped}), so a VM with very many
 * connections keeps its most recent ones. A collector that reports each live connection once per
 * poll (e.g. every 5 minutes) fills it at about 7 long-lived connections.
 *
 * <p>A Flink POJO (public fields, no-argument constructor), columns appended in place. Not
 * thread-safe (keyed state: one task touches it).
 */
public final class FlowWindow {
  /** The most records kept per VM. */
  public static final int MAX_FLOWS = 2_000;

  /** How far back records are kept, seconds before the newest one (the DNA's 24 h window). */
  public static final long KEEP_S = 86_400;

  private static final int FIRST_CAPACITY = 16;

  /** Expired records are dropped once the oldest is this much past the day (once an hour). */
  private static final long EXPIRE_SLACK_S = 3_600;

  /** Records held (the columns' first {@code size} entries). */
  public int size;

  /** Records dropped because the window was full of records younger than a day. */
  public long dropped;

  /** When each flow was seen, epoch seconds. */
  public long[] timestampS = new long[0];

  /** Transport protocol, lower case. */
  public String[] protocol = new String[0];

  /** The remote end. */
  public String[] destination = new String[0];

  /** Bytes in both directions. */
  public long[] bytes = new long[0];

  /** An empty window (for Flink's POJO serializer; use {@link #add}). */
  public FlowWindow() {}

  /** Adds a record (any VM's: the caller keys by VM), making room as the class comment says. */
  public void add(FlowRecord f) {
    if (size > 0 && timestampS[0] <= f.timestampS() - KEEP_S - EXPIRE_SLACK_S) {
      expire(f.timestampS()); // the oldest is more than a day and an hour old
    }
    if (size == timestampS.length) {
      if (size >= MAX_FLOWS && !expire(Math.max(f.timestampS(), newest()))) {
        dropOldestQuarter();
      }
      if (size == timestampS.length) {
        int capacity = Math.min(MAX_FLOWS, Math.max(FIRST_CAPACITY, 2 * size));
        timestampS = Arrays.copyOf(timestampS, capacity);
        protocol = Arrays.copyOf(protocol, capacity);
        destination = Arrays.copyOf(destination, capacity);
        bytes = Arrays.copyOf(bytes, capacity);
      }
    }
    timestampS[size] = f.timestampS();
    protocol[size] = f.protocol();
    destination[size] = f.destination();
    bytes[size] = f.bytes();
    size++;
  }

  /** The records held, as {@code vmId}'s, in time order (copied; ties in arrival order). */
  public List<FlowRecord> records(String vmId) {
    List<FlowRecord> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new FlowRecord(vmId, timestampS[i], protocol[i], destination[i], bytes[i]));
    }
    out.sort(Comparator.comparingLong(FlowRecord::timestampS));
    return out;
  }

  private long newest() {
    long max = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, timestampS[i]);
    }
    return max;
  }

  /** Drops records older than a day before {@code nowS}; returns whether any went. */
  private boolean expire(long nowS) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (timestampS[i] > nowS - KEEP_S) {
        move(i, kept++);
      }
    }
    return shrinkTo(kept);
  }

  /** Drops the oldest quarter (by arrival), counting them. */
  private void dropOldestQuarter() {
    int drop = size / 4;
    for (int i = drop; i < size; i++) {
      move(i, i - drop);
    }
    dropped += drop;
    shrinkTo(size - drop);
  }

  private boolean shrinkTo(int kept) {
    boolean shrunk = kept < size;
    Arrays.fill(protocol, kept, size, null);
    Arrays.fill(destination, kept, size, null);
    size = kept;
    return shrunk;
  }

  private void move(int from, int to) {
    timestampS[to] = timestampS[from];
    protocol[to] = protocol[from];
    destination[to] = destination[from];
    bytes[to] = bytes[from];
  }
}
