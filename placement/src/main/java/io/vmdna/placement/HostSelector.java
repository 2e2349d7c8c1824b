package io.vmdna.placement;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.store.Reservation;
import io.vmdna.store.ReservationRepository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Dynamic Host Selection Module: hard filters, then weighted soft weighers, over the hosts a
 * hypervisor reports, with other migrations' reservations subtracted.
 *
 * <p>It only decides; booking is {@link ReservationRepository#reserve}, which re-checks under a
 * lock, because capacity can go between a scan and a booking. Thread-safe.
 */
public final class HostSelector {

  /**
   * A weigher with its weight.
   *
   * @param weigher the weigher
   * @param weight its weight, > 0
   */
  public record Weighted(HostWeigher weigher, double weight) {}

  private final List<HostFilter> filters;
  private final List<Weighted> weighers;
  private final Bookings bookings;

  /** Creates a selector from its units (registered here, in one place). */
  public HostSelector(List<HostFilter> filters, List<Weighted> weighers, Bookings bookings) {
    this.filters = List.copyOf(filters);
    this.weighers = List.copyOf(weighers);
    this.bookings = bookings;
  }

  /** The default units with {@code maxUtilization} and no cap per target. */
  public static HostSelector defaults(double maxUtilization, ReservationRepository reservations) {
    PlacementConfig d = PlacementConfig.defaults();
    return from(
        new PlacementConfig(
            maxUtilization,
            Integer.MAX_VALUE,
            d.antiAffinity(),
            d.affinity(),
            d.topology(),
            d.freeCpuWeight(),
            d.affinityWeight(),
            d.proximityWeight(),
            d.loadTrendWeight()),
        reservations);
  }

  /**
   * Every unit, registered here: filters online, image format, ping-pong, cap per target,
   * anti-affinity, storage, CPU and memory headroom; weighers free CPU, affinity, proximity and
   * load trend.
   */
  public static HostSelector from(PlacementConfig c, ReservationRepository reservations) {
    return from(
        c,
        new Bookings() {
          @Override
          public List<Reservation> onHost(String hostId) {
            return reservations.onHost(hostId);
          }

          @Override
          public Map<String, List<Reservation>> onHosts(java.util.Collection<String> hostIds) {
            return reservations.onHosts(hostIds);
          }
        });
  }

  /** As {@link #from(PlacementConfig, ReservationRepository)}, with bookings from elsewhere. */
  public static HostSelector from(PlacementConfig c, Bookings bookings) {
    return new HostSelector(
        List.of(
            new OnlineFilter(),
            new ImageFormatFilter(),
            new PingPongFilter(),
            new TargetCapFilter(c.maxPerTarget()),
            new AntiAffinityFilter(c.antiAffinity()),
            new StorageFilter(),
            new HeadroomFilter(c.maxUtilization())),
        List.of(
            new Weighted(new FreeCpuWeigher(), c.freeCpuWeight()),
            new Weighted(new AffinityWeigher(c.affinity()), c.affinityWeight()),
            new Weighted(new ProximityWeigher(c.topology()), c.proximityWeight()),
            new Weighted(new LoadTrendWeigher(0.2), c.loadTrendWeight())),
        bookings);
  }

  /**
   * Chooses a target host. Reservations made by {@code request.migrationId()} itself are not
   * subtracted, so a repeated scan of the same migration sees the same room.
   */
  public Placement select(PlacementRequest request, List<HostInfo> hosts) {
    return select(request, hosts, Map.of());
  }

  /**
   * Chooses a target host, knowing where every VM runs (for affinity and anti-affinity).
   *
   * @param vmHosts VM id → host id
   */
  public Placement select(
      PlacementRequest request, List<HostInfo> hosts, Map<String, String> vmHosts) {
    return select(request, hosts, () -> vmHosts);
  }

  /**
   * As {@link #select(PlacementRequest, List, Map)}, asking {@code vmHosts} where every VM runs
   * only when an affinity or anti-affinity group holds the VM (no other unit reads it): a pass over
   * every VM of the fleet per decision was a tenth of the workers' CPU in {@code ./vmdna bench},
   * for groups most VMs are not in.
   *
   * @param vmHosts gives VM id → host id; called at most once
   */
  public Placement select(
      PlacementRequest request,
      List<HostInfo> hosts,
      java.util.function.Supplier<Map<String, String>> vmHosts) {
    boolean placementsRead =
        filters.stream().anyMatch(f -> f.readsVmIds(request))
            || weighers.stream().anyMatch(w -> w.weigher().readsVmIds(request));
    return decide(request, hosts, placementsRead ? vmHosts.get() : Map.of());
  }

  private Placement decide(
      PlacementRequest request, List<HostInfo> hosts, Map<String, String> vmHosts) {
    Map<String, Double> scores = new LinkedHashMap<>();
    Map<String, String> rejections = new LinkedHashMap<>();
    // VMs by host, once: looking them up per host made a decision O(hosts × VMs) (48 ms at 500
    // hosts and 10,000 VMs; see HostSelectionBench)
    Map<String, java.util.Set<String>> vmsByHost = new java.util.HashMap<>();
    vmHosts.forEach(
        (vm, host) -> vmsByHost.computeIfAbsent(host, h -> new java.util.HashSet<>()).add(vm));
    // every host's bookings in one read: one query per host was most of a decision's database
    // work (40 queries per scan in ./vmdna bench)
    Map<String, List<Reservation>> booked =
        bookings.onHosts(hosts.stream().map(HostInfo::hostId).toList());
    for (HostInfo host : hosts) {
      java.util.Set<String> vmsThere = vmsByHost.getOrDefault(host.hostId(), java.util.Set.of());
      HostState state =
          withBookings(
              host, booked.getOrDefault(host.hostId(), List.of()), request.migrationId(), vmsThere);
      Optional<String> why =
          filters.stream().map(f -> f.reject(state, request)).flatMap(Optional::stream).findFirst();
      if (why.isPresent()) {
        rejections.put(host.hostId(), why.get());
        continue;
      }
      double score = 0;
      for (Weighted w : weighers) {
        score += w.weight() * w.weigher().weigh(state, request);
      }
      scores.put(host.hostId(), score);
    }
    Optional<String> best =
        scores.entrySet().stream()
            .max(
                Map.Entry.<String, Double>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
            .map(Map.Entry::getKey);
    return new Placement(best, scores, rejections);
  }

  private static HostState withBookings(
      HostInfo host,
      List<Reservation> onHost,
      String ownMigrationId,
      java.util.Set<String> vmsThere) {
    double cpu = 0;
    double mem = 0;
    int n = 0;
    for (Reservation r : onHost) {
      if (!r.migrationId().equals(ownMigrationId)) {
        cpu += r.cpuMhz();
        mem += r.memKb();
        n++;
      }
    }
    return new HostState(host, cpu, mem, n, vmsThere);
  }
}
